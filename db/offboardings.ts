import type { OffboardingStatus, OffboardingView } from '../domain';
import type { Queryable } from './queryable';

/**
 * The read model of each offboarding, and the only module that writes the offboardings table: the API
 * inserts the row as it starts the workflow (version 0), the workflow then writes whole views.
 */

export interface OffboardingRow {
  id: string;
  workflow_id: string;
  tenant_id: string;
  status: OffboardingStatus;
  view: OffboardingView;
  created_at: Date;
}

const COLUMNS = 'id, workflow_id, tenant_id, status, view, created_at';

export async function findOffboarding(db: Queryable, id: string): Promise<OffboardingRow | undefined> {
  const { rows } = await db.query<OffboardingRow>(`SELECT ${COLUMNS} FROM offboardings WHERE id = $1`, [id]);
  return rows[0];
}

export async function findRunningOffboarding(db: Queryable, tenantId: string): Promise<OffboardingRow | undefined> {
  const { rows } = await db.query<OffboardingRow>(
    `SELECT ${COLUMNS} FROM offboardings WHERE tenant_id = $1 AND status = 'RUNNING'`,
    [tenantId],
  );
  return rows[0];
}

/** The offboarding that ended (or is ending) the tenant's access, if one did: its id. */
export async function findOffboardingOfTenant(db: Queryable, tenantId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM offboardings WHERE tenant_id = $1 AND status IN ('RUNNING', 'COMPLETED')
     ORDER BY created_at DESC LIMIT 1`,
    [tenantId],
  );
  return rows[0]?.id;
}

/**
 * Inserts the row of an offboarding about to start; false when one is running for the tenant already
 * (offboardings_one_running), which the caller then answers with.
 */
export async function insertStartedOffboarding(
  db: Queryable,
  view: OffboardingView,
  tenantId: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO offboardings (id, workflow_id, tenant_id, partner_provided_id, reason, requested_by, status, view, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)
     ON CONFLICT (tenant_id) WHERE status = 'RUNNING' DO NOTHING`,
    [
      view.id,
      view.workflowId,
      tenantId,
      view.tenant.partnerProvidedId,
      view.reason,
      view.requestedBy,
      view.status,
      view,
      view.createdAt,
    ],
  );
  return rowCount === 1;
}

/** Removes the row of an offboarding whose workflow did not start; one the workflow has written stays. */
export async function deleteUnstartedOffboarding(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM offboardings WHERE id = $1 AND version = 0', [id]);
}

/** The workflow's view; a stale or replayed write (a lower version) changes nothing. */
export async function upsertOffboardingView(db: Queryable, view: OffboardingView): Promise<void> {
  await db.query(
    `UPDATE offboardings SET status = $2, view = $3, version = $4, updated_at = $5
     WHERE id = $1 AND version < $4`,
    [view.id, view.status, view, view.version, view.updatedAt],
  );
}
