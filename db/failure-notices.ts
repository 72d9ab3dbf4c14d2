import type { Queryable } from './queryable';

/** Failure notices (TecCom): one per failure and tenant, mailed to the tenant's failure notification emails. */

export type FailureKind = 'CONNECTIVITY_LOST' | 'TOKEN_BURST_REFUSED' | 'WEBHOOK_FAILED';

export interface NewFailureNotice {
  key: string;
  kind: FailureKind;
  subject: string;
  body: string;
}

/** For the tenant of an onboarding (its view's tenantId); nothing when the onboarding has no tenant yet. */
export async function insertOnboardingFailureNotice(
  db: Queryable,
  onboardingId: string,
  notice: NewFailureNotice,
): Promise<void> {
  await db.query(
    `INSERT INTO failure_notices (key, tenant_id, kind, subject, body)
     SELECT $2, (o.view -> 'tenant' ->> 'tenantId')::uuid, $3, $4, $5 FROM onboardings o
      WHERE o.id = $1 AND o.view -> 'tenant' ->> 'tenantId' IS NOT NULL
     ON CONFLICT (key) DO NOTHING`,
    [onboardingId, notice.key, notice.kind, notice.subject, notice.body],
  );
}

/** For every tenant an API client serves, each under its own key (`<key>:<tenantId>`). */
export async function insertClientFailureNotices(
  db: Queryable,
  clientId: string,
  notice: NewFailureNotice,
): Promise<void> {
  await db.query(
    `INSERT INTO failure_notices (key, tenant_id, kind, subject, body)
     SELECT $2 || ':' || t.tenant_id, t.tenant_id, $3, $4, $5 FROM api_client_tenants t WHERE t.client_id = $1
     ON CONFLICT (key) DO NOTHING`,
    [clientId, notice.key, notice.kind, notice.subject, notice.body],
  );
}

export interface PendingNotice {
  key: string;
  kind: FailureKind;
  subject: string;
  body: string;
  /**
   * The tenant's failure notification emails, as they are when it is mailed, across the clients that
   * serve it; while it names none (a client's administrators set them later), its contact's email.
   */
  recipients: string[];
}

export async function listPendingNotices(db: Queryable, limit: number): Promise<PendingNotice[]> {
  const { rows } = await db.query<PendingNotice>(
    `SELECT n.key, n.kind, n.subject, n.body,
            coalesce(
              (SELECT array_agg(DISTINCT e ORDER BY e) FROM api_client_tenants t, unnest(t.notification_emails) AS e
                WHERE t.tenant_id = n.tenant_id),
              (SELECT ARRAY[v.data -> 'contact' ->> 'email'] FROM tenant_versions v
                WHERE v.tenant_id = n.tenant_id AND v.data -> 'contact' ->> 'email' IS NOT NULL
                ORDER BY v.version DESC LIMIT 1),
              '{}') AS recipients
       FROM failure_notices n WHERE n.sent_at IS NULL ORDER BY n.created_at LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function markNoticeSent(db: Queryable, key: string, recipients: string[]): Promise<void> {
  await db.query('UPDATE failure_notices SET sent_at = now(), recipients = $2 WHERE key = $1', [key, recipients]);
}
