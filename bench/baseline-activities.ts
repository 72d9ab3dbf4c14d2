import type { Pool } from 'pg';

/**
 * B1's writes mirror one onboarding step's: a keyed insert of the step's row and an upsert of a
 * versioned jsonb read model, each its own statement, as our activities and projection do.
 */
export function createBaselineActivities(pool: Pool) {
  return {
    async noop(): Promise<void> {},
    /** With `view`, the step carries the view it writes (bench/workflows/index.ts, carriedView). */
    async write({ id, step, view }: { id: string; step: number; view?: unknown }): Promise<void> {
      await writeRow(pool, id, step);
      await writeView(pool, id, step, view ?? { id, step });
    },
    /** The experiment's split (bench/workflows/index.ts, localProjection): the row in the step's activity… */
    async writeRow({ id, step }: { id: string; step: number }): Promise<void> {
      await writeRow(pool, id, step);
    },
    /** …and the view in a local activity after it. */
    async writeView({ id, step, view }: { id: string; step: number; view: unknown }): Promise<void> {
      await writeView(pool, id, step, view);
    },
  };
}

const writeRow = (pool: Pool, id: string, step: number) =>
  pool.query('INSERT INTO bench_rows (id, step, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    id,
    step,
    { step },
  ]);

const writeView = (pool: Pool, id: string, step: number, view: unknown) =>
  pool.query(
    `INSERT INTO bench_views (id, version, view) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, view = EXCLUDED.view WHERE bench_views.version < EXCLUDED.version`,
    [id, step + 1, view],
  );

export const BASELINE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS bench_rows (id text, step int, data jsonb, PRIMARY KEY (id, step));
  CREATE TABLE IF NOT EXISTS bench_views (id text PRIMARY KEY, version int NOT NULL, view jsonb NOT NULL);`;
