import type { PoolClient } from 'pg';
import type { AccessChangeView } from '../domain';
import type { Queryable } from './queryable';

/**
 * Changes of an API user's invoice-data access (table access_changes): each one is a row holding its view,
 * which is also its audit (who asked, from, to, who decided, when it applied).
 */

/** The number of the user's next change; the caller holds the user's row lock (lockIntegrationUser). */
export async function nextAccessChangeSeq(tx: PoolClient, integrationUserId: string): Promise<number> {
  const { rows } = await tx.query<{ next: number }>(
    'SELECT COALESCE(max(seq), 0) + 1 AS next FROM access_changes WHERE integration_user_id = $1',
    [integrationUserId],
  );
  return rows[0].next;
}

export async function insertAccessChange(
  tx: PoolClient,
  change: { integrationUserId: string; seq: number; view: AccessChangeView },
): Promise<void> {
  const { view } = change;
  await tx.query(
    `INSERT INTO access_changes (id, integration_user_id, seq, tenant_id, status, approver_email, view, version, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      view.id,
      change.integrationUserId,
      change.seq,
      view.tenant.tenantId,
      view.status,
      view.approval?.approverEmail ?? null,
      view,
      view.version,
      view.requestedAt,
    ],
  );
}

/** The pending widening of the user, if one waits for its approver. */
export async function findPendingAccessChange(
  db: Queryable,
  integrationUserId: string,
): Promise<AccessChangeView | undefined> {
  const { rows } = await db.query<{ view: AccessChangeView }>(
    "SELECT view FROM access_changes WHERE integration_user_id = $1 AND status = 'PENDING'",
    [integrationUserId],
  );
  return rows[0]?.view;
}

/** The tenant's widenings still waiting for an approver: their ids are their workflows' ids. */
export async function listPendingAccessChangeIdsOfTenant(db: Queryable, tenantId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM access_changes WHERE tenant_id = $1 AND status = 'PENDING' ORDER BY requested_at, id",
    [tenantId],
  );
  return rows.map((r) => r.id);
}

/** The workflow could not be started: the change never was. */
export async function deleteUnstartedAccessChange(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM access_changes WHERE id = $1 AND status = 'PENDING' AND version = 1", [id]);
}

/** The workflow's projection: a newer view replaces an older one, never the other way round. */
export async function upsertAccessChangeView(db: Queryable, view: AccessChangeView): Promise<void> {
  await db.query(
    `UPDATE access_changes SET status = $2, approver_email = $3, view = $4, version = $5
     WHERE id = $1 AND version < $5`,
    [view.id, view.status, view.approval?.approverEmail ?? null, view, view.version],
  );
}

/**
 * An approved widening takes effect: the user's access and the change's APPLIED view commit together, so
 * the audit never says applied for access the user does not have. Repeated, it finds the work done.
 */
export async function applyAccessChange(tx: PoolClient, view: AccessChangeView): Promise<void> {
  const { rows } = await tx.query<{ integration_user_id: string; status: string }>(
    'SELECT integration_user_id, status FROM access_changes WHERE id = $1 FOR UPDATE',
    [view.id],
  );
  if (!rows[0] || rows[0].status === 'APPLIED') return;
  await tx.query('UPDATE integration_users SET invoice_data_access = $2 WHERE id = $1', [
    rows[0].integration_user_id,
    view.to,
  ]);
  await upsertAccessChangeView(tx, view);
}

export async function findAccessChange(db: Queryable, id: string): Promise<AccessChangeView | undefined> {
  const { rows } = await db.query<{ view: AccessChangeView }>('SELECT view FROM access_changes WHERE id = $1', [id]);
  return rows[0]?.view;
}

/** The user's changes, newest first: its access history. */
export async function listAccessChangesOfUser(db: Queryable, integrationUserId: string): Promise<AccessChangeView[]> {
  const { rows } = await db.query<{ view: AccessChangeView }>(
    'SELECT view FROM access_changes WHERE integration_user_id = $1 ORDER BY seq DESC',
    [integrationUserId],
  );
  return rows.map((r) => r.view);
}

/** The widenings assigned to this approver, oldest first (what has waited longest comes first). */
export async function listApproverAccessChanges(
  db: Queryable,
  approverEmail: string,
  status: AccessChangeView['status'] | undefined,
): Promise<AccessChangeView[]> {
  const { rows } = await db.query<{ view: AccessChangeView }>(
    `SELECT view FROM access_changes WHERE lower(approver_email) = lower($1) AND ($2::text IS NULL OR status = $2)
     ORDER BY requested_at, id LIMIT 200`,
    [approverEmail, status ?? null],
  );
  return rows.map((r) => r.view);
}
