import { Client } from 'pg';

/**
 * Creates the database named in url if the server has none of that name, connecting to the
 * server's `postgres` maintenance database to do so (CREATE DATABASE cannot run in the database it
 * creates, nor in a transaction). Two processes racing to create it are both content.
 */
export async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const conn = new Client({ connectionString: admin.toString() });
  await conn.connect();
  try {
    const found = await conn.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await conn.query(`CREATE DATABASE ${conn.escapeIdentifier(database)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // duplicate_database: created meanwhile
      });
    }
  } finally {
    await conn.end();
  }
}

/*
 * The Temporal server's own databases (infra/temporal-cluster.ts), on a connection the caller opens
 * to the server: which exist, and emptying one's cluster membership before a start.
 */

export async function existingDatabases(conn: Client, names: string[]): Promise<Set<string>> {
  const { rows } = await conn.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname = ANY($1)', [
    names,
  ]);
  return new Set(rows.map((row) => row.datname));
}

export async function clearClusterMembership(conn: Client): Promise<void> {
  await conn.query('DELETE FROM cluster_membership');
}
