import { Pool, type PoolConfig } from 'pg';
import type { Logger } from '../lib/logger';

/**
 * One pool per process. An idle client's error (the server restarting) would otherwise be an
 * unhandled 'error' event that kills the process; the pool replaces the client on next use.
 */
export function createPool(connectionString: string, log: Logger, options: PoolConfig = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000, ...options });
  pool.on('error', (err) => log.warn({ err: { message: err.message } }, 'idle PostgreSQL client failed; it will be replaced'));
  // A checked-out client between queries has no pool listener: its 'error' event would crash the process too.
  // The query or transaction using it still fails on its own; the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: { message: err.message } }, 'PostgreSQL client failed')));
  return pool;
}

/** Resolves once PostgreSQL answers, retrying with backoff; a server that is still starting is normal. */
export async function waitForDatabase(pool: Pool, log: Logger, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3_000)) {
    try {
      await pool.query('SELECT 1');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      log.info({ retryInMs: delay }, 'waiting for PostgreSQL');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
