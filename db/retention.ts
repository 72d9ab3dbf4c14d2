import { OPEN_STATUSES } from '../domain';
import type { Queryable } from './queryable';

/** How many rows each kind of expired record lost in one pass. */
export interface PrunedRecords {
  idempotencyKeys: number;
  rateLimits: number;
  refreshTokens: number;
  webhookDeliveries: number;
  auditEvents: number;
  securityEvents: number;
  mailLog: number;
}

/**
 * How long what expires is kept (IDEMPOTENCY_KEY_TTL, WEBHOOK_DELIVERED_RETENTION), and the records' retention
 * an operator chose (AUDIT_RETENTION, SECURITY_EVENT_RETENTION, MAIL_LOG_RETENTION): unset, they are kept.
 */
export interface Retention {
  idempotencyKeyTtlMs: number;
  webhookDeliveredRetentionMs: number;
  auditRetentionMs?: number;
  securityEventRetentionMs?: number;
  mailLogRetentionMs?: number;
}

/**
 * Deletes what no longer means anything, so that these tables stay the size of the live traffic:
 * stored answers of Idempotency-Keys older than their window (a retry after it is a new request, as at
 * Stripe), rate-limit windows that ended with no block in force, the refresh tokens of families whose
 * every token has expired (a family with a live token keeps its used ones: replaying one of those must
 * still revoke the family), and webhooks delivered longer ago than their retention (Stripe keeps its
 * events 30 days). A webhook's id keys it against a second queueing only while its write may be
 * retried, minutes, far inside any retention; one not delivered (pending or given up) stays for the
 * dispatcher and the operators. The audit trail, security events and mail log are records, not caches:
 * they are kept unless the operator sets a retention (at least 30 days, lib/config.ts, so that no write
 * still retried can find its row gone), and a webhook's event is in the audit trail too. An onboarding
 * still open keeps its whole trail, as Camunda's history cleanup waits for a process instance to end; a
 * mail not sent (its SMTP attempts given up) stays, as an undelivered webhook does.
 */
export async function pruneExpiredRecords(db: Queryable, retention: Retention): Promise<PrunedRecords> {
  const { rows } = await db.query<{
    idempotency_keys: string;
    rate_limits: string;
    refresh_tokens: string;
    webhook_deliveries: string;
    audit_events: string;
    security_events: string;
    mail_log: string;
  }>(
    `WITH keys AS (
       DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1::double precision / 1000)
       RETURNING 1),
     limits AS (
       DELETE FROM rate_limits WHERE window_ends_at < now() AND (blocked_until IS NULL OR blocked_until < now())
       RETURNING 1),
     tokens AS (
       DELETE FROM refresh_tokens r
        WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens x WHERE x.family_id = r.family_id AND x.expires_at >= now())
       RETURNING 1),
     delivered AS (
       DELETE FROM webhook_deliveries
        WHERE delivered_at < now() - make_interval(secs => $2::double precision / 1000)
       RETURNING 1),
     audit AS (
       DELETE FROM audit_events a
        WHERE $3::double precision IS NOT NULL AND a.occurred_at < now() - make_interval(secs => $3 / 1000)
          AND NOT EXISTS (SELECT 1 FROM onboardings o WHERE o.id = a.onboarding_id AND o.status = ANY ($6::text[]))
       RETURNING 1),
     security AS (
       DELETE FROM security_events
        WHERE $4::double precision IS NOT NULL AND occurred_at < now() - make_interval(secs => $4 / 1000)
       RETURNING 1),
     mails AS (
       DELETE FROM mail_log
        WHERE $5::double precision IS NOT NULL AND created_at < now() - make_interval(secs => $5 / 1000)
          AND sent_at IS NOT NULL
       RETURNING 1)
     SELECT (SELECT count(*) FROM keys) AS idempotency_keys, (SELECT count(*) FROM limits) AS rate_limits,
            (SELECT count(*) FROM tokens) AS refresh_tokens, (SELECT count(*) FROM delivered) AS webhook_deliveries,
            (SELECT count(*) FROM audit) AS audit_events, (SELECT count(*) FROM security) AS security_events,
            (SELECT count(*) FROM mails) AS mail_log`,
    [
      retention.idempotencyKeyTtlMs,
      retention.webhookDeliveredRetentionMs,
      retention.auditRetentionMs ?? null,
      retention.securityEventRetentionMs ?? null,
      retention.mailLogRetentionMs ?? null,
      OPEN_STATUSES,
    ],
  );
  return {
    idempotencyKeys: Number(rows[0].idempotency_keys),
    rateLimits: Number(rows[0].rate_limits),
    refreshTokens: Number(rows[0].refresh_tokens),
    webhookDeliveries: Number(rows[0].webhook_deliveries),
    auditEvents: Number(rows[0].audit_events),
    securityEvents: Number(rows[0].security_events),
    mailLog: Number(rows[0].mail_log),
  };
}
