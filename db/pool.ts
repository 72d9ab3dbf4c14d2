import { Pool, type PoolConfig } from 'pg';
import type { Logger } from '../lib/logger';

/**
 * One pool per process. An idle client's error (the server restarting) would otherwise be an
 * unhandled 'error' event that kills the process; the pool replaces the client on next use.
 * A checked-out client has no listener of the pool's (pg-pool removes it on checkout), so one that
 * loses its connection between two queries (a transaction around an SMTP send) gets its own: its
 * next query fails, and the caller releases it as broken.
 */
export function createPool(connectionString: string, log: Logger, options: PoolConfig = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000, ...options });
  pool.on('error', (err) => log.warn({ err: { message: err.message } }, 'idle PostgreSQL client failed; it will be replaced'));
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: { message: err.message } }, 'PostgreSQL client in use lost its connection')));
  return retryOnServerTermination(pool);
}

/**
 * After a server restart, the first statement may go out on an idle connection the server has just
 * terminated, before the pool has heard of it. The server aborted that statement (SQLSTATE 57P01:
 * nothing was committed), so a single statement is run once more on a fresh connection.
 */
function retryOnServerTermination(pool: Pool): Pool {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  const retrying = async (...args: unknown[]) => {
    try {
      return await query(...args);
    } catch (err) {
      if ((err as { code?: string }).code !== '57P01') throw err;
      return query(...args);
    }
  };
  pool.query = retrying as Pool['query'];
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
