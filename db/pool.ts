import { Pool, type PoolConfig } from 'pg';
import type { Logger } from '../lib/logger';

/**
 * One pool per process. An idle connection's error (the server restarting) would otherwise be an
 * unhandled 'error' event that kills the process; the pool replaces the connection on next use.
 * A checked-out connection has no listener of the pool's (pg-pool removes it on checkout), so one
 * that is lost between two queries of a transaction gets its own: its next query fails, and the
 * caller releases it as broken.
 */
export function createPool(connectionString: string, log: Logger, options: PoolConfig = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 5_000, ...options });
  pool.on('error', (err) =>
    log.warn({ err: { message: err.message } }, 'idle PostgreSQL client failed; it will be replaced'),
  );
  // pg-pool stops listening while a connection is checked out; a server dropping connections then would
  // raise an unhandled 'error' and kill the process. The holder learns of it from its next query.
  pool.on('connect', (conn) =>
    conn.on('error', (err) => log.warn({ err: { message: err.message } }, 'PostgreSQL client in use failed')),
  );
  retryStatementsThatNeverRan(pool);
  return pool;
}

/**
 * After a server restart the pool may still hold connections whose backend is gone, until it reads each
 * one's end; a statement on one fails without having run (57P01 admin_shutdown, or a connection already
 * marked unusable). Such a statement is sent again, once per dead connection it meets: each failure
 * discards its connection, so after at most `max` of them the pool opens a fresh one. Anything that may
 * have run (a connection lost mid-statement) is not retried here: that is the caller's retry policy.
 */
function retryStatementsThatNeverRan(pool: Pool): void {
  const neverRan = (err: unknown) => {
    const e = err as { code?: string; message?: string };
    return e?.code === '57P01' || /not queryable/.test(e?.message ?? '');
  };
  const attempts = (pool.options.max ?? 10) + 1;
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  pool.query = (async (...args: unknown[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await query(...args);
      } catch (err) {
        if (!neverRan(err) || attempt >= attempts) throw err;
      }
    }
  }) as Pool['query'];
}

/** One trivial statement: whether PostgreSQL answers at all (readiness, start-up). */
export async function pingDatabase(pool: Pool): Promise<void> {
  await pool.query('SELECT 1');
}

/** Resolves once PostgreSQL answers, retrying with backoff; a server that is still starting is normal. */
export async function waitForDatabase(pool: Pool, log: Logger, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 200; ; delay = Math.min(delay * 2, 3_000)) {
    try {
      await pingDatabase(pool);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      log.info({ retryInMs: delay }, 'waiting for PostgreSQL');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
