import type { Queryable } from './queryable';

/**
 * Rows no workflow has written (version 0) of the tables whose row the API inserts before it starts the
 * workflow, inserted longer ago than `olderThanMs`: an API that died between its insert and Temporal's
 * start leaves one, and it would stand for an open onboarding (or a running offboarding) of its tenant
 * forever. Housekeeping asks Temporal about each (activities/housekeeping.ts). Oldest first, a batch at a time.
 */
export async function listUnstartedRows(
  db: Queryable,
  table: 'onboardings' | 'offboardings',
  olderThanMs: number,
  limit = 100,
): Promise<{ id: string; workflow_id: string }[]> {
  const { rows } = await db.query<{ id: string; workflow_id: string }>(
    `SELECT id, workflow_id FROM ${table}
     WHERE version = 0 AND created_at < now() - make_interval(secs => $1::double precision / 1000)
     ORDER BY created_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}
