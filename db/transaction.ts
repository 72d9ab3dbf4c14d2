import type { Pool, PoolClient } from 'pg';

/**
 * Runs fn in one transaction on a connection of its own: the one way gangway opens a transaction.
 * pg-pool stops listening for a connection's 'error' while it is checked out, so a server that drops
 * connections (a restart) would otherwise raise an unhandled 'error' event and kill the process; the
 * failure reaches the caller through the next query instead, and the broken connection is discarded
 * rather than returned to the pool. fn must not wait on anything but PostgreSQL (no HTTP, SMTP or
 * Temporal call): the connection and every lock it took are held until it returns.
 */
export async function withTransaction<T>(pool: Pool, fn: (tx: PoolClient) => Promise<T>): Promise<T> {
  const tx = await pool.connect();
  const ignore = () => undefined;
  tx.on('error', ignore);
  let broken: Error | undefined;
  try {
    await tx.query('BEGIN');
    const result = await fn(tx);
    await tx.query('COMMIT');
    return result;
  } catch (err) {
    // A connection that cannot even roll back is lost: discard it.
    await tx.query('ROLLBACK').catch(() => (broken = err as Error));
    throw err;
  } finally {
    tx.removeListener('error', ignore);
    tx.release(broken);
  }
}
