import type { Pool, PoolClient } from 'pg';

/**
 * Runs fn in one transaction on a client of its own. pg-pool stops listening for a client's 'error'
 * while it is checked out, so a server that drops connections (a restart) would otherwise raise an
 * unhandled 'error' event and kill the process; the failure reaches the caller through the next query
 * instead, and the broken client is discarded rather than returned to the pool.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = () => undefined;
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // A client that cannot even roll back has lost its connection: discard it.
    await client.query('ROLLBACK').catch(() => (broken = err as Error));
    throw err;
  } finally {
    client.removeListener('error', ignore);
    client.release(broken);
  }
}
