import type { Connectivity, OnboardingStatus, OnboardingView } from '../domain';
import { OPEN_STATUSES } from '../domain';
import { insertAuditRowsFrom, type NewAuditEvent } from './audit';
import { cursorAt, rowsAfter } from './keyset';
import { prepared } from './prepared';
import type { Queryable } from './queryable';
import { containing } from './like';
import { subscriptionWants } from './webhook-deliveries';

/**
 * The read model of each onboarding, and the only module that writes the onboardings table. The API
 * inserts the row as it starts the workflow; the workflow then writes whole views (writeOnboardingProgress, with their audit rows and webhooks)
 * while it runs; after it has finished, re-verification and reconnects change one portal client's
 * entry in place (recordPortalClientCheck, recordPortalClientReconnection).
 */

export interface OnboardingRow {
  id: string;
  workflow_id: string;
  first_run_id: string | null;
  status: OnboardingStatus;
  view: OnboardingView;
  started_by: string | null;
  created_at: Date;
  /** The kit's progress, which the customer makes after the workflow ended (api/onboarding-view.ts). */
  kit_opened_at: Date | null;
  password_set_at: Date | null;
}

/**
 * The kit's progress from the kit's and password link's rows, read in the same statement as the onboarding:
 * a read of one onboarding or a page of them stays one round trip.
 */
const KIT_PROGRESS = `(SELECT k.opened_at FROM kits k WHERE k.onboarding_id = onboardings.id) AS kit_opened_at,
  (SELECT l.used_at FROM integration_password_links l WHERE l.onboarding_id = onboardings.id) AS password_set_at`;

/** An onboarding's columns, with its kit's progress. */
const ROW_COLUMNS = `id, workflow_id, first_run_id, status, view, started_by, created_at, ${KIT_PROGRESS}`;

/** A page's columns: only what the list shows, and the row's position (the row's other columns cost every read). */
const LIST_COLUMNS = `id, view, ${cursorAt('created_at')} AS cursor_at, ${KIT_PROGRESS}`;

export async function findOnboarding(db: Queryable, id: string): Promise<OnboardingRow | undefined> {
  const { rows } = await db.query<OnboardingRow>(
    prepared(`SELECT ${ROW_COLUMNS} FROM onboardings WHERE id = $1`, [id]),
  );
  return rows[0];
}

/**
 * The SELECT of the newest open onboarding's id for a workflow id, the placeholders of the workflow id and of
 * the open statuses given: shared with the start rules' one lookup (db/start-lookups.ts).
 */
export const openOnboardingIdOf = (workflowId: string, openStatuses: string) =>
  `SELECT id FROM onboardings WHERE workflow_id = ${workflowId} AND status = ANY(${openStatuses}) ORDER BY created_at DESC LIMIT 1`;

export async function findOpenOnboardingId(db: Queryable, workflowId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(openOnboardingIdOf('$1', '$2'), [workflowId, OPEN_STATUSES]);
  return rows[0]?.id;
}

/**
 * The API writes the row, committed, before it starts the workflow: the webhook secret is then there
 * before any delivery, and no connection is held while Temporal answers. Version 0, below the
 * workflow's first view, marks a row the workflow has not written yet.
 */
export async function insertStartedOnboarding(
  db: Queryable,
  row: {
    view: OnboardingView;
    startedBy: string;
    notifyEmail: string;
    webhookUrl?: string;
    webhookSecretSealed?: string;
  },
): Promise<void> {
  const { view } = row;
  await db.query(
    `INSERT INTO onboardings (id, workflow_id, partner_provided_id, status, view, version, started_by, notify_email, webhook_url, webhook_secret_enc, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9, $10, $10)`,
    [
      view.id,
      view.workflowId,
      view.tenant.partnerProvidedId,
      view.status,
      view,
      row.startedBy,
      row.notifyEmail,
      row.webhookUrl ?? null,
      row.webhookSecretSealed ?? null,
      view.createdAt,
    ],
  );
}

/**
 * Removes a row whose workflow did not start (Temporal refused or failed). A row the workflow has
 * written (version 1 and up) stays: that workflow runs after all, and its row is the truth.
 */
export async function deleteUnstartedOnboarding(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM onboardings WHERE id = $1 AND version = 0', [id]);
}

export interface ListFilter {
  status?: OnboardingStatus;
  connectivity?: string;
  tenant?: string;
  /** The email of the staff member who started it. */
  startedBy?: string;
  /** An approver or delegate of one of its subscriptions. */
  approver?: string;
  subscription?: string;
  createdFrom?: string;
  createdTo?: string;
  /** Free text over the tenant's name, partnerProvidedId and tenantId, the onboarding and workflow ids. */
  q?: string;
  limit: number;
  /** The position a previous page ended at: created_at in microseconds since the epoch (db/keyset.ts), the id. */
  after?: { createdAt: string; id: string };
}

/** A page's row: what the list shows (api/onboarding-view.ts) and where the row stands for the next page's cursor. */
export type OnboardingListRow = Pick<OnboardingRow, 'id' | 'view' | 'kit_opened_at' | 'password_set_at'> & {
  cursor_at: string;
};

/** Newest first, keyset-paged on (created_at, id) so that pages stay stable while rows arrive (db/keyset.ts). */
export async function listOnboardings(db: Queryable, filter: ListFilter): Promise<OnboardingListRow[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (value: unknown) => `$${args.push(value)}`;
  if (filter.status) where.push(`status = ${arg(filter.status)}`);
  if (filter.connectivity)
    where.push(
      `view->'clients' @> jsonb_build_array(jsonb_build_object('connectivity', ${arg(filter.connectivity)}::text))`,
    );
  if (filter.tenant)
    where.push(`(partner_provided_id = ${arg(filter.tenant)} OR view->'tenant'->>'tenantId' = ${arg(filter.tenant)})`);
  if (filter.startedBy) where.push(`lower(view->>'startedBy') = lower(${arg(filter.startedBy)})`);
  if (filter.approver) {
    const approver = arg(filter.approver);
    where.push(
      `EXISTS (SELECT 1 FROM jsonb_array_elements(view->'approvals') a
               WHERE lower(a->>'approverEmail') = lower(${approver}) OR lower(a->>'delegateEmail') = lower(${approver}))`,
    );
  }
  if (filter.subscription)
    where.push(
      `view->'subscriptions' @> jsonb_build_array(jsonb_build_object('code', ${arg(filter.subscription)}::text))`,
    );
  // The view's createdAt, which callers see (the workflow's start), not the row's insert a moment earlier.
  if (filter.createdFrom) where.push(`(view->>'createdAt')::timestamptz >= ${arg(filter.createdFrom)}::timestamptz`);
  if (filter.createdTo) where.push(`(view->>'createdAt')::timestamptz < ${arg(filter.createdTo)}::timestamptz`);
  if (filter.q) {
    const like = arg(containing(filter.q));
    where.push(
      `(view->'tenant'->>'name' ILIKE ${like} OR partner_provided_id ILIKE ${like} OR id::text ILIKE ${like}
        OR workflow_id ILIKE ${like} OR view->'tenant'->>'tenantId' ILIKE ${like})`,
    );
  }
  if (filter.after)
    where.push(rowsAfter({ createdAt: 'created_at', id: 'id' }, arg(filter.after.createdAt), arg(filter.after.id)));
  const { rows } = await db.query<OnboardingListRow>(
    prepared(
      `SELECT ${LIST_COLUMNS} FROM onboardings
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id DESC LIMIT ${arg(filter.limit)}`,
      args,
    ),
  );
  return rows;
}

/** One approval task with what the approver needs to decide it: the whole onboarding view, the tenant's plan and invoice access. */
export interface ApprovalTaskRow {
  onboarding_id: string;
  view: OnboardingView;
  created_at: Date;
  approval: OnboardingView['approvals'][number];
  plan: string | null;
  invoice_data_access: boolean | null;
}

const TASK_COLUMNS = 'o.id AS onboarding_id, o.view, o.created_at, a AS approval, t.plan, iu.invoice_data_access';
const TASK_SOURCES = `onboardings o
     CROSS JOIN jsonb_array_elements(o.view->'approvals') a
     LEFT JOIN tenants t ON t.tenant_id::text = o.view->'tenant'->>'tenantId'
     LEFT JOIN integration_users iu ON iu.username = o.view->'integrationUser'->>'username'`;

/** An approver's tasks, theirs or delegated to them, read from the projected views. */
export async function listApprovalTasks(db: Queryable, approverEmail: string, status: string) {
  const { rows } = await db.query<ApprovalTaskRow>(
    `SELECT ${TASK_COLUMNS} FROM ${TASK_SOURCES}
     WHERE (lower(a->>'approverEmail') = lower($1) OR lower(a->>'delegateEmail') = lower($1)) AND a->>'status' = $2
     ORDER BY o.created_at`,
    [approverEmail, status],
  );
  return rows;
}

/** The tasks in which this person recorded a decision (at any stage), latest decision first. */
export async function listDecidedApprovals(db: Queryable, email: string, limit: number) {
  const { rows } = await db.query<ApprovalTaskRow & { decided_at: Date }>(
    `SELECT ${TASK_COLUMNS}, d.decided_at FROM ${TASK_SOURCES}
     CROSS JOIN LATERAL (
       SELECT max((x->>'decidedAt')::timestamptz) AS decided_at
       FROM jsonb_array_elements(coalesce(a->'decisions', jsonb_build_array(a))) x
       WHERE lower(x->>'decidedBy') = lower($1)) d
     WHERE d.decided_at IS NOT NULL
     ORDER BY d.decided_at DESC
     LIMIT $2`,
    [email, limit],
  );
  return rows;
}

/** One event for the webhook outbox, with the body every receiver gets (notify/webhook-outbox.ts builds it). */
export interface ProgressWebhook {
  /** Stable per event, so that a replayed write queues nothing new. */
  id: string;
  type: string;
  payload: unknown;
}

export interface ProgressWrite {
  view: OnboardingView;
  /** The workflow's first run, recorded once: messages to this row address that run chain. */
  firstRunId?: string;
  notify: { email: string; webhookUrl?: string };
  auditEvents: NewAuditEvent[];
  webhooks: ProgressWebhook[];
}

/**
 * One step of an onboarding in the read model, as one statement (atomic by itself, one round trip): the
 * workflow's view upserted unless a newer version is there (a stale or replayed write changes nothing;
 * the row the API inserted at start is overwritten, its started_by and webhook secret kept; the notify
 * columns follow the workflow's amended request), its audit rows, and its webhooks queued for the
 * onboarding's own receiver and for every live subscription that wants the event's type for this
 * tenant (by partnerProvidedId or tenantId, or every tenant). Every row is keyed, so a replayed write
 * adds nothing. It replaced a transaction of two to eight statements (#18: each was a round trip).
 * The first write also records the run the API started (first_run_id), which the start no longer
 * waits to write: until then the workflow id names no other run, since another can only start once
 * this one has closed, and this one's first task writes here before anything else.
 */
export async function writeOnboardingProgress(db: Queryable, write: ProgressWrite): Promise<void> {
  const { view, notify, auditEvents, webhooks } = write;
  await db.query(
    prepared(
      `WITH upserted AS (
       INSERT INTO onboardings (id, workflow_id, partner_provided_id, status, view, version, notify_email, webhook_url, created_at, updated_at, first_run_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $14)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, view = EXCLUDED.view, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at,
         notify_email = EXCLUDED.notify_email, webhook_url = EXCLUDED.webhook_url,
         first_run_id = COALESCE(onboardings.first_run_id, EXCLUDED.first_run_id)
       WHERE onboardings.version < EXCLUDED.version
     ), audited AS (
       ${insertAuditRowsFrom('$1', '$11')}
     ), events AS (
       SELECT e.id, e.type, e.payload, e.ord FROM jsonb_to_recordset($12::jsonb) AS e(id text, type text, payload jsonb, ord int)
     ), own AS (
       INSERT INTO webhook_deliveries (id, onboarding_id, url, payload, event_id, event_type)
       SELECT e.id, $1, $8, e.payload, e.id, e.type FROM events e WHERE $8::text IS NOT NULL ORDER BY e.ord
       ON CONFLICT (id) DO NOTHING
     ), fanned AS (
       INSERT INTO webhook_deliveries (id, onboarding_id, url, payload, subscription_id, event_id, event_type)
       SELECT e.id || '.' || s.id, $1, s.url, e.payload, s.id, e.id, e.type
         FROM events e JOIN webhook_subscriptions s ON ${subscriptionWants('s', 'e.type', '$3', '$13')}
        ORDER BY e.ord
       ON CONFLICT DO NOTHING
     )
     -- Each data-modifying statement above runs whether or not it is read.
     SELECT 1`,
      [
        view.id,
        view.workflowId,
        view.tenant.partnerProvidedId,
        view.status,
        view,
        view.version,
        notify.email,
        notify.webhookUrl ?? null,
        view.createdAt,
        view.updatedAt,
        JSON.stringify(auditEvents),
        JSON.stringify(webhooks.map((w, ord) => ({ ...w, ord }))),
        view.tenant.tenantId ?? null,
        write.firstRunId ?? null,
      ],
    ),
  );
}

/** A portal client shown CONNECTED in a completed onboarding, with the link whose credentials connected it. */
export interface ConnectedPortalClient {
  onboardingId: string;
  partnerProvidedId: string;
  collectorLinkId: string;
  portalUrl: string;
}

/** Clients of offboarded or archived tenants are left alone: nobody is told about a customer that has gone. */
export async function listConnectedPortalClients(db: Queryable): Promise<ConnectedPortalClient[]> {
  const { rows } = await db.query<ConnectedPortalClient>(
    `SELECT o.id AS "onboardingId", c->>'partnerProvidedId' AS "partnerProvidedId", l.id AS "collectorLinkId", l.portal_url AS "portalUrl"
       FROM onboardings o
       CROSS JOIN jsonb_array_elements(o.view->'clients') c
       JOIN LATERAL (SELECT id, portal_url FROM collector_links
                      WHERE onboarding_id = o.id AND client_id = c->>'partnerProvidedId' AND credentials_sealed IS NOT NULL
                      ORDER BY attempt DESC LIMIT 1) l ON true
      WHERE o.status = 'COMPLETED' AND c->>'connectivity' = 'CONNECTED'
        AND NOT EXISTS (SELECT 1 FROM tenants t WHERE t.tenant_id::text = o.view->'tenant'->>'tenantId'
                          AND (t.offboarded_at IS NOT NULL OR t.archived_at IS NOT NULL))
      ORDER BY o.id, 2`,
  );
  return rows;
}

/*
 * The two writes below change one portal client's entry of a finished onboarding's view in place,
 * with jsonb_set in one UPDATE, and bump the version. The finished workflow no longer writes the view,
 * so nobody else holds a whole view to upsert; rewriting only that entry keeps the rest as it is, even
 * if two re-checks of different clients land at once, and the higher version tells the workflow's
 * stale writes (a replay) from this one.
 */

/** Where to tell the customer about a lost connection; undefined when the onboarding is gone. */
export interface OnboardingContacts {
  notify_email: string;
  webhook_url: string | null;
  partner_provided_id: string;
}

/** Whether the onboarding has a webhook signing secret (only a start with a webhook URL makes one). */
export async function hasWebhookSecret(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM onboardings WHERE id = $1 AND webhook_secret_enc IS NOT NULL', [id]);
  return rows.length > 0;
}

/** Where to reach the customer of an onboarding now (its notify columns follow amendments). */
export async function findOnboardingContacts(db: Queryable, id: string): Promise<OnboardingContacts | undefined> {
  const { rows } = await db.query<OnboardingContacts>(
    'SELECT notify_email, webhook_url, partner_provided_id FROM onboardings WHERE id = $1',
    [id],
  );
  return rows[0];
}

/**
 * One re-check of a connected portal client: when it was checked, what failed, FAILED when its credentials
 * were refused, and one more portal login in `checks`. The check's time comes from the workflow, so a
 * retried write finds it already there and counts nothing twice.
 */
export async function recordPortalClientCheck(
  db: Queryable,
  check: { onboardingId: string; portalClientId: string; checkedAt: string; lastError: string | null; lost: boolean },
): Promise<OnboardingContacts | undefined> {
  const { rows } = await db.query<OnboardingContacts>(
    `UPDATE onboardings o SET
       view = jsonb_set(jsonb_set(o.view, '{clients}', (
                SELECT jsonb_agg(CASE WHEN c->>'partnerProvidedId' = $2
                  THEN c || jsonb_build_object('lastCheckedAt', $3::text, 'lastError', $4::text,
                                               'connectivity', CASE WHEN $5 THEN 'FAILED' ELSE c->>'connectivity' END,
                                               'checks', COALESCE((c->>'checks')::int, 0)
                                                         + CASE WHEN c->>'lastCheckedAt' IS DISTINCT FROM $3 THEN 1 ELSE 0 END)
                  ELSE c END ORDER BY ord)
                FROM jsonb_array_elements(o.view->'clients') WITH ORDINALITY AS x(c, ord))),
              '{version}', to_jsonb(o.version + 1)),
       version = o.version + 1, updated_at = now()
     WHERE o.id = $1
     RETURNING notify_email, webhook_url, partner_provided_id`,
    [check.onboardingId, check.portalClientId, check.checkedAt, check.lastError, check.lost],
  );
  return rows[0];
}

/**
 * A staff retry of a finished onboarding's FAILED client starts: the entry shows it PENDING and awaiting
 * credentials until the reconnect's outcome. False when the client is not FAILED (a retry already runs).
 */
export async function markPortalClientRetrying(
  db: Queryable,
  retry: { onboardingId: string; portalClientId: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE onboardings o SET
       view = jsonb_set(jsonb_set(o.view, '{clients}', (
                SELECT jsonb_agg(CASE WHEN c->>'partnerProvidedId' = $2
                  THEN c || jsonb_build_object('connectivity', 'PENDING', 'lastError', null, 'awaitingCredentials', true)
                  ELSE c END ORDER BY ord)
                FROM jsonb_array_elements(o.view->'clients') WITH ORDINALITY AS x(c, ord))),
              '{version}', to_jsonb(o.version + 1)),
       version = o.version + 1, updated_at = now()
     WHERE o.id = $1
       AND o.view->'clients' @> jsonb_build_array(jsonb_build_object('partnerProvidedId', $2::text, 'connectivity', 'FAILED'))`,
    [retry.onboardingId, retry.portalClientId],
  );
  return rowCount === 1;
}

/**
 * A reconnect's outcome for one portal client. The entry keeps the reconnect's workflow id, so a
 * retried write matches nothing and answers undefined; otherwise the onboarding's webhook URL.
 */
export async function recordPortalClientReconnection(
  db: Queryable,
  reconnection: {
    onboardingId: string;
    reconnectWorkflowId: string;
    portalClientId: string;
    connectivity: Connectivity;
    attempts: number;
    lastCheckedAt: string | null;
    lastError: string | null;
    /** Portal logins the reconnect tried, added to the client's count. */
    checks: number;
  },
): Promise<{ webhook_url: string | null } | undefined> {
  const r = reconnection;
  const { rows } = await db.query<{ webhook_url: string | null }>(
    `UPDATE onboardings o SET
       view = jsonb_set(jsonb_set(o.view, '{clients}', (
                SELECT jsonb_agg(CASE WHEN c->>'partnerProvidedId' = $2
                  THEN c || jsonb_build_object('connectivity', $3::text, 'attempts', $4::int, 'lastCheckedAt', $5::text,
                                               'lastError', $6::text, 'awaitingCredentials', false,
                                               'checks', COALESCE((c->>'checks')::int, 0) + $7::int, 'reconnectWorkflowId', $8::text)
                  ELSE c END ORDER BY ord)
                FROM jsonb_array_elements(o.view->'clients') WITH ORDINALITY AS x(c, ord))),
              '{version}', to_jsonb(o.version + 1)),
       version = o.version + 1, updated_at = now()
     WHERE o.id = $1
       AND NOT (o.view->'clients' @> jsonb_build_array(jsonb_build_object('partnerProvidedId', $2::text, 'reconnectWorkflowId', $8::text)))
     RETURNING webhook_url`,
    [
      r.onboardingId,
      r.portalClientId,
      r.connectivity,
      r.attempts,
      r.lastCheckedAt,
      r.lastError,
      r.checks,
      r.reconnectWorkflowId,
    ],
  );
  return rows[0];
}

/** The tenant's open onboarding (a first one, or an expansion), which an offboarding cancels first. */
export async function findOpenOnboardingOfTenant(
  db: Queryable,
  tenant: { tenantId: string; partnerProvidedId: string },
): Promise<Pick<OnboardingRow, 'id' | 'workflow_id' | 'first_run_id' | 'status'> | undefined> {
  const { rows } = await db.query<Pick<OnboardingRow, 'id' | 'workflow_id' | 'first_run_id' | 'status'>>(
    `SELECT id, workflow_id, first_run_id, status FROM onboardings
     WHERE (view->'tenant'->>'tenantId' = $1::text OR partner_provided_id = $2) AND status = ANY($3)
     ORDER BY created_at DESC LIMIT 1`,
    [tenant.tenantId, tenant.partnerProvidedId, OPEN_STATUSES],
  );
  return rows[0];
}

export async function findOnboardingStatus(db: Queryable, id: string): Promise<OnboardingStatus | undefined> {
  const { rows } = await db.query<{ status: OnboardingStatus }>('SELECT status FROM onboardings WHERE id = $1', [id]);
  return rows[0]?.status;
}

/**
 * Where to tell a customer about its own account: the latest notify email of its onboardings, and the latest
 * webhook URL with the onboarding whose secret signs it.
 */
export async function findTenantContacts(
  db: Queryable,
  tenantId: string,
): Promise<{ email: string | null; webhook: { url: string; onboardingId: string } | null }> {
  const { rows } = await db.query<{ id: string; notify_email: string | null; webhook_url: string | null }>(
    `SELECT id, notify_email, webhook_url FROM onboardings
     WHERE view->'tenant'->>'tenantId' = $1::text ORDER BY created_at DESC`,
    [tenantId],
  );
  const email = rows.find((r) => r.notify_email)?.notify_email ?? null;
  const hook = rows.find((r) => r.webhook_url);
  return { email, webhook: hook ? { url: hook.webhook_url!, onboardingId: hook.id } : null };
}
