import type { Pool, PoolClient } from 'pg';
import type { OnboardingStatus, OnboardingView } from '../domain';
import { OPEN_STATUSES } from '../domain';

/** Reads of the projection; the workflow is the only writer of `view` (activities/progress.ts). */

export interface OnboardingRow {
  id: string;
  workflow_id: string;
  first_run_id: string | null;
  status: OnboardingStatus;
  view: OnboardingView;
  started_by: string | null;
  created_at: Date;
}

export async function findOnboarding(pool: Pool, id: string): Promise<OnboardingRow | undefined> {
  const { rows } = await pool.query<OnboardingRow>('SELECT id, workflow_id, first_run_id, status, view, started_by, created_at FROM onboardings WHERE id = $1', [id]);
  return rows[0];
}

export async function findOpenOnboardingId(pool: Pool, workflowId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ id: string }>(
    'SELECT id FROM onboardings WHERE workflow_id = $1 AND status = ANY($2) ORDER BY created_at DESC LIMIT 1',
    [workflowId, OPEN_STATUSES],
  );
  return rows[0]?.id;
}

/** The API writes the row before the workflow starts, so that the webhook secret is there before any delivery. */
export async function insertStartedOnboarding(
  client: PoolClient,
  row: { view: OnboardingView; startedBy: string; notifyEmail: string; webhookUrl?: string; webhookSecretSealed?: string },
): Promise<void> {
  const { view } = row;
  await client.query(
    `INSERT INTO onboardings (id, workflow_id, partner_provided_id, status, view, version, started_by, notify_email, webhook_url, webhook_secret_enc, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9, $10, $10)`,
    [view.id, view.workflowId, view.tenant.partnerProvidedId, view.status, view, row.startedBy, row.notifyEmail, row.webhookUrl ?? null, row.webhookSecretSealed ?? null, view.createdAt],
  );
}

export interface ListFilter { status?: OnboardingStatus; connectivity?: string; tenant?: string; limit: number; after?: { createdAt: string; id: string } }

/** Newest first, keyset-paged on (created_at, id) so that pages stay stable while rows arrive. */
export async function listOnboardings(pool: Pool, filter: ListFilter): Promise<OnboardingRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (value: unknown) => `$${args.push(value)}`;
  if (filter.status) where.push(`status = ${arg(filter.status)}`);
  if (filter.connectivity) where.push(`view->'clients' @> jsonb_build_array(jsonb_build_object('connectivity', ${arg(filter.connectivity)}::text))`);
  if (filter.tenant) where.push(`(partner_provided_id = ${arg(filter.tenant)} OR view->'tenant'->>'tenantId' = ${arg(filter.tenant)})`);
  if (filter.after) where.push(`(created_at, id) < (${arg(filter.after.createdAt)}::timestamptz, ${arg(filter.after.id)}::uuid)`);
  const { rows } = await pool.query<OnboardingRow>(
    `SELECT id, workflow_id, first_run_id, status, view, started_by, created_at FROM onboardings
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ${arg(filter.limit)}`,
    args,
  );
  return rows;
}

/** An approver's tasks, theirs or delegated to them, read from the projected views. */
export async function listApprovalTasks(pool: Pool, approverEmail: string, status: string) {
  const { rows } = await pool.query<{ onboarding_id: string; tenant: OnboardingView['tenant']; started_by: string; created_at: Date; approval: OnboardingView['approvals'][number] }>(
    `SELECT o.id AS onboarding_id, o.view->'tenant' AS tenant, o.view->>'startedBy' AS started_by, o.created_at, a AS approval
     FROM onboardings o, jsonb_array_elements(o.view->'approvals') a
     WHERE (lower(a->>'approverEmail') = lower($1) OR lower(a->>'delegateEmail') = lower($1)) AND a->>'status' = $2
     ORDER BY o.created_at`,
    [approverEmail, status],
  );
  return rows;
}
