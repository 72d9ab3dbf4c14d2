import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { withTransaction } from './transaction';

/**
 * Forward-only numbered SQL migrations (db/migrations/NNN_name.sql), each applied in its own
 * transaction under a transaction-scoped advisory lock, so that two processes starting together
 * apply each once.
 * (node-pg-migrate is ESM-only, which jest's module runtime cannot load; this is all we need of it.)
 */
const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'db', 'migrations');
const LOCK_KEY = 7_233_001;

export async function migrate(pool: Pool, dir = resolveMigrationsDir()): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const file of files) {
    const sql = await readFile(path.join(dir, file), 'utf8');
    const ran = await withTransaction(pool, async (tx) => {
      // Taken again by each migration's transaction, so the check below sees what another process applied.
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [file]);
      if (done.rowCount) return false;
      await tx.query(sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      return true;
    }).catch((err: unknown) => {
      throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
    });
    if (ran) applied.push(file);
  }
  return applied;
}

/** Works from the TypeScript sources (tests) and from dist/ (npm start): the SQL stays in db/migrations. */
function resolveMigrationsDir(): string {
  const fromSource = path.join(__dirname, 'migrations');
  return __dirname.includes(`${path.sep}dist${path.sep}`) ? MIGRATIONS_DIR : fromSource;
}

/** Migrations not applied yet: the API and the worker refuse to start on a schema that is behind. */
export async function pendingMigrations(pool: Pool, dir = resolveMigrationsDir()): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const { rows } = await pool.query<{ table: string | null }>("SELECT to_regclass('schema_migrations')::text AS table");
  if (!rows[0]?.table) return files;
  const done = new Set(
    (await pool.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
  );
  return files.filter((f) => !done.has(f));
}
