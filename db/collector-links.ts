import type { Queryable } from './queryable';

/**
 * Collector links: one per portal client and attempt, the token stored only as a keyed hash and the
 * submitted credentials only sealed. client_id is the portal client's partnerProvidedId.
 */

export interface NewCollectorLink {
  onboardingId: string;
  /** The workflow waiting for the submission: the onboarding's, or a reconnect's. */
  workflowId: string;
  portalClientId: string;
  portalClientName: string;
  portalUrl: string;
  attempt: number;
  tokenHash: string;
  expiresAt: Date;
  /** The contact the link is mailed to. */
  recipient?: string;
}

export async function findCollectorLinkId(
  db: Queryable,
  onboardingId: string,
  portalClientId: string,
  attempt: number,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM collector_links WHERE onboarding_id = $1 AND client_id = $2 AND attempt = $3',
    [onboardingId, portalClientId, attempt],
  );
  return rows[0]?.id;
}

/** Inserts the link, or on a retry gives the existing one a new token (the earlier token stops working). */
export async function upsertCollectorLink(db: Queryable, link: NewCollectorLink): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO collector_links (onboarding_id, workflow_id, client_id, client_name, portal_url, attempt, token_hash, expires_at, recipient)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (onboarding_id, client_id, attempt) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at, recipient = EXCLUDED.recipient
     RETURNING id`,
    [
      link.onboardingId,
      link.workflowId,
      link.portalClientId,
      link.portalClientName,
      link.portalUrl,
      link.attempt,
      link.tokenHash,
      link.expiresAt,
      link.recipient ?? null,
    ],
  );
  return rows[0].id;
}

/** A link that still works: unused and unexpired (the collector accepts it). */
const WORKING = 'used_at IS NULL AND expires_at > now()';

/**
 * Gives a link that still waits for its submission a new token (the earlier one stops working), and
 * records its client's current name, portal and contact. Undefined when the link was used or expired.
 */
export async function renewCollectorLinkToken(
  db: Queryable,
  link: {
    onboardingId: string;
    portalClientId: string;
    attempt: number;
    tokenHash: string;
    portalClientName: string;
    portalUrl: string;
    recipient: string;
  },
): Promise<{ expires_at: Date } | undefined> {
  const { rows } = await db.query<{ expires_at: Date }>(
    `UPDATE collector_links SET token_hash = $4, client_name = $5, portal_url = $6, recipient = $7
      WHERE onboarding_id = $1 AND client_id = $2 AND attempt = $3 AND ${WORKING}
      RETURNING expires_at`,
    [
      link.onboardingId,
      link.portalClientId,
      link.attempt,
      link.tokenHash,
      link.portalClientName,
      link.portalUrl,
      link.recipient,
    ],
  );
  return rows[0];
}

/** A working link: what its page shows, and its id, which a submission's sealed credentials are bound to. */
export async function findOpenCollectorLink(
  db: Queryable,
  tokenHash: string,
): Promise<{ id: string; client_name: string; portal_url: string; expires_at: Date } | undefined> {
  const { rows } = await db.query<{ id: string; client_name: string; portal_url: string; expires_at: Date }>(
    `SELECT id, client_name, portal_url, expires_at FROM collector_links WHERE token_hash = $1 AND ${WORKING}`,
    [tokenHash],
  );
  return rows[0];
}

/** A link in any state, with the origins its tenant lets frame the collector (PortalDuct's embedded collector). */
export interface CollectorLinkFrame {
  client_id: string;
  client_name: string;
  portal_url: string;
  expires_at: Date;
  /** Unused and unexpired. */
  open: boolean;
  allowed_origins: string[];
}

export async function findCollectorLinkFrame(
  db: Queryable,
  tokenHash: string,
): Promise<CollectorLinkFrame | undefined> {
  const { rows } = await db.query<CollectorLinkFrame>(
    `SELECT l.client_id, l.client_name, l.portal_url, l.expires_at, (l.used_at IS NULL AND l.expires_at > now()) AS open,
            COALESCE(te.data #> '{embed,allowedOrigins}', '[]'::jsonb) AS allowed_origins
       FROM collector_links l
       JOIN onboardings o ON o.id = l.onboarding_id
       LEFT JOIN tenants te ON te.tenant_id = (o.view #>> '{tenant,tenantId}')::uuid AND te.archived_at IS NULL
      WHERE l.token_hash = $1`,
    [tokenHash],
  );
  return rows[0];
}

/**
 * A link spent by a submission: which workflow waits for which portal client's attempt, and the
 * onboarding the link belongs to (null when its row is gone), whose run the signal is bound to.
 */
export interface SpentCollectorLink {
  id: string;
  onboarding_id: string;
  workflow_id: string;
  client_id: string;
  attempt: number;
  onboarding_workflow_id: string | null;
  first_run_id: string | null;
}

/**
 * Marks a working link used and stores the submission's sealed credentials, in one statement (atomic,
 * and one round trip, #18), so two racing submissions cannot both spend it; undefined when it was no
 * longer working.
 */
export async function spendCollectorLink(
  db: Queryable,
  collectorLinkId: string,
  credentialsSealed: string,
): Promise<SpentCollectorLink | undefined> {
  const { rows } = await db.query<SpentCollectorLink>(
    `WITH spent AS (
       UPDATE collector_links SET used_at = now(), credentials_sealed = $2
       WHERE id = $1 AND ${WORKING}
       RETURNING id, onboarding_id, workflow_id, client_id, attempt
     )
     SELECT spent.*, o.workflow_id AS onboarding_workflow_id, o.first_run_id
       FROM spent LEFT JOIN onboardings o ON o.id = spent.onboarding_id`,
    [collectorLinkId, credentialsSealed],
  );
  return rows[0];
}

/** A link already spent whose submission is stored: a repeated request may be the same submission. */
export async function findStoredSubmission(
  db: Queryable,
  tokenHash: string,
): Promise<{ id: string; credentials_sealed: string } | undefined> {
  const { rows } = await db.query<{ id: string; credentials_sealed: string }>(
    'SELECT id, credentials_sealed FROM collector_links WHERE token_hash = $1 AND used_at IS NOT NULL AND credentials_sealed IS NOT NULL',
    [tokenHash],
  );
  return rows[0];
}

/** Undoes a submission nobody was told of: the link works again and holds no credentials. */
export async function reopenCollectorLink(db: Queryable, collectorLinkId: string): Promise<void> {
  await db.query(
    'UPDATE collector_links SET used_at = NULL, credentials_sealed = NULL, signalled_at = NULL WHERE id = $1',
    [collectorLinkId],
  );
}

/** The waiting workflow was told of this submission: the reconciler leaves it alone. */
export async function markSubmissionSignalled(db: Queryable, collectorLinkId: string): Promise<void> {
  await db.query('UPDATE collector_links SET signalled_at = now() WHERE id = $1 AND signalled_at IS NULL', [
    collectorLinkId,
  ]);
}

/** A stored submission whose signal may have been lost, and the workflow it is for. */
export interface UnsignalledSubmission {
  collectorLinkId: string;
  workflowId: string;
  clientId: string;
  attempt: number;
  /** Whether the onboarding is finished (and not this link's reconnect): then nobody waits for it any more. */
  finished: boolean;
}

/**
 * Submissions stored at least `olderThanMs` ago and never marked signalled: the collector crashed or
 * Temporal was down between the commit and the signal. The grace keeps clear of a collector still
 * signalling. An onboarding's link counts as finished once its onboarding is: its workflow id may by
 * then name a later onboarding of the same tenant, which must not receive this one's submission.
 */
export async function listUnsignalledSubmissions(
  db: Queryable,
  olderThanMs: number,
  limit: number,
): Promise<UnsignalledSubmission[]> {
  const { rows } = await db.query<UnsignalledSubmission>(
    `SELECT l.id AS "collectorLinkId", l.workflow_id AS "workflowId", l.client_id AS "clientId", l.attempt,
            (l.workflow_id = o.workflow_id AND o.status IN ('COMPLETED', 'REJECTED', 'CANCELLED', 'FAILED')) AS finished
       FROM collector_links l JOIN onboardings o ON o.id = l.onboarding_id
      WHERE l.credentials_sealed IS NOT NULL AND l.signalled_at IS NULL
        AND l.used_at < now() - make_interval(secs => $1::double precision / 1000)
      ORDER BY l.used_at LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows;
}

/** Marks many links signalled at once (the reconciler, after delivering or finding nobody waiting). */
export async function markSubmissionsSignalled(db: Queryable, collectorLinkIds: string[]): Promise<void> {
  await db.query(
    'UPDATE collector_links SET signalled_at = now() WHERE id = ANY($1::uuid[]) AND signalled_at IS NULL',
    [collectorLinkIds],
  );
}

/** The sealed credentials submitted through this link of this onboarding, if any. */
export async function findSubmittedCredentials(
  db: Queryable,
  collectorLinkId: string,
  onboardingId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ credentials_sealed: string | null }>(
    'SELECT credentials_sealed FROM collector_links WHERE id = $1 AND onboarding_id = $2',
    [collectorLinkId, onboardingId],
  );
  return rows[0]?.credentials_sealed ?? undefined;
}

/**
 * The portal client's latest link, with whom it was last mailed to (links from before recipients were
 * recorded: the mail_log row keyed `<onboarding>:COLLECT_CLIENT_CREDENTIALS:<client>:<attempt>`).
 */
export async function findLatestCollectorLink(
  db: Queryable,
  onboardingId: string,
  portalClientId: string,
): Promise<
  | { client_name: string; portal_url: string; attempt: number; recipient: string | null; workflow_id: string }
  | undefined
> {
  const { rows } = await db.query<{
    client_name: string;
    portal_url: string;
    attempt: number;
    recipient: string | null;
    workflow_id: string;
  }>(
    `SELECT l.client_name, l.portal_url, l.attempt, l.workflow_id, COALESCE(l.recipient, m.recipient) AS recipient
       FROM collector_links l
       LEFT JOIN mail_log m ON m.idempotency_key = l.onboarding_id || ':COLLECT_CLIENT_CREDENTIALS:' || l.client_id || ':' || l.attempt
      WHERE l.onboarding_id = $1 AND l.client_id = $2
      ORDER BY l.attempt DESC LIMIT 1`,
    [onboardingId, portalClientId],
  );
  return rows[0];
}

/**
 * Offboarding: the stored portal credentials of every client of the tenant's onboardings are erased, and
 * links still open stop working. Answers the portal clients whose credentials this call erased.
 */
export async function eraseTenantPortalCredentials(db: Queryable, tenantId: string): Promise<string[]> {
  const { rows } = await db.query<{ client_id: string; had_credentials: boolean }>(
    `WITH erased AS (
       SELECT l.id, l.credentials_sealed IS NOT NULL AS had_credentials FROM collector_links l
       JOIN onboardings o ON o.id = l.onboarding_id
       WHERE o.view->'tenant'->>'tenantId' = $1::text
         AND (l.credentials_sealed IS NOT NULL OR (l.used_at IS NULL AND l.expires_at > now()))
       FOR UPDATE OF l)
     UPDATE collector_links l SET credentials_sealed = NULL, used_at = COALESCE(l.used_at, now()),
       expires_at = LEAST(l.expires_at, now()), signalled_at = COALESCE(l.signalled_at, now())
     FROM erased WHERE l.id = erased.id
     RETURNING l.client_id, erased.had_credentials`,
    [tenantId],
  );
  return [...new Set(rows.filter((r) => r.had_credentials).map((r) => r.client_id))].sort();
}
