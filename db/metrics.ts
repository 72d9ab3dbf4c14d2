import { FINAL_STATUSES, OPEN_STATUSES } from '../domain';
import type { Queryable } from './queryable';

/**
 * The business figures behind the API's /metrics, read at scrape time (api/metrics.ts caches them): one
 * statement, one round trip. Counts of what is outstanding now, and the durations of what finished in the
 * trailing day, read from the read model itself, so they are right whichever process made them and however
 * often an activity was retried.
 */
export interface BusinessFigures {
  onboardingsByStatus: Record<string, number>;
  approvalsPending: number;
  approvalsEscalatedPending: number;
  /** Seconds since the longest-waiting pending approval's approver was asked; 0 when none waits. */
  oldestPendingApprovalAgeSeconds: number;
  /** Seconds from approval requested to decided, for approvals decided in the last 24 h. */
  timeToApproveSeconds: Quantiles;
  /** Seconds from start to COMPLETED, for onboardings completed in the last 24 h. */
  timeToCompleteSeconds: Quantiles;
  collectorLinksOutstanding: number;
  clientsByConnectivity: Record<string, number>;
  webhookDeliveriesPending: number;
  /** Pending deliveries that already failed at least once and wait for their next attempt. */
  webhookDeliveriesRetrying: number;
  /** Deliveries given up on after their last attempt (all time). */
  webhookDeliveriesFailed: number;
  oldestPendingWebhookAgeSeconds: number;
  /** Mails not sent a minute after they were first tried: the mailer keeps failing on them. */
  mailUnsent: number;
}

export interface Quantiles {
  count: number;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

/** Onboardings are looked at from this far back for the trailing-day durations (the status index bounds it). */
const DURATION_LOOKBACK = "interval '60 days'";

/** Quantiles of a `seconds` column, as one JSON object. */
const quantiles = `json_build_object(
  'count', count(*),
  'p50', percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds),
  'p90', percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds),
  'max', max(seconds))`;

export async function readBusinessFigures(db: Queryable): Promise<BusinessFigures> {
  const { rows } = await db.query<{ figures: BusinessFigures }>(
    `WITH approvals AS (
       SELECT a.value AS approval,
              (SELECT (s->>'startedAt')::timestamptz FROM jsonb_array_elements(o.view->'steps') s
                WHERE s->>'name' = 'REQUEST_APPROVAL') AS requested_at
         FROM onboardings o, jsonb_array_elements(o.view->'approvals') a
        WHERE o.created_at > now() - ${DURATION_LOOKBACK}
     ),
     pending AS (
       SELECT a.value AS approval
         FROM onboardings o, jsonb_array_elements(o.view->'approvals') a
        WHERE o.status = ANY($1)
          AND a.value->>'status' = 'PENDING'
     ),
     approved AS (
       SELECT extract(epoch FROM (approval->>'decidedAt')::timestamptz - requested_at) AS seconds
         FROM approvals
        WHERE approval->>'decidedAt' IS NOT NULL AND requested_at IS NOT NULL
          AND (approval->>'decidedAt')::timestamptz > now() - interval '24 hours'
     ),
     completed AS (
       SELECT extract(epoch FROM finished_at - o.created_at) AS seconds
         FROM onboardings o,
              LATERAL (SELECT max((s->>'finishedAt')::timestamptz) AS finished_at
                         FROM jsonb_array_elements(o.view->'steps') s) f
        WHERE o.status = 'COMPLETED' AND o.created_at > now() - ${DURATION_LOOKBACK}
          AND f.finished_at > now() - interval '24 hours'
     )
     SELECT json_build_object(
       'onboardingsByStatus',
         (SELECT coalesce(json_object_agg(status, n), '{}') FROM
            (SELECT status, count(*) AS n FROM onboardings GROUP BY status) s),
       'approvalsPending', (SELECT count(*) FROM pending),
       'approvalsEscalatedPending',
         (SELECT count(*) FROM pending WHERE jsonb_array_length(coalesce(approval->'escalatedTo', '[]')) > 0),
       'oldestPendingApprovalAgeSeconds',
         (SELECT coalesce(extract(epoch FROM now() - min((approval->>'assignedAt')::timestamptz)), 0) FROM pending),
       'timeToApproveSeconds', (SELECT ${quantiles} FROM approved),
       'timeToCompleteSeconds', (SELECT ${quantiles} FROM completed),
       'collectorLinksOutstanding',
         (SELECT count(*) FROM collector_links WHERE used_at IS NULL AND expires_at > now()),
       'clientsByConnectivity',
         (SELECT coalesce(json_object_agg(connectivity, n), '{}') FROM
            (SELECT c.value->>'connectivity' AS connectivity, count(*) AS n
               FROM onboardings o, jsonb_array_elements(o.view->'clients') c
              WHERE o.status <> ALL($2)
              GROUP BY 1) s),
       'webhookDeliveriesPending',
         (SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL),
       'webhookDeliveriesRetrying',
         (SELECT count(*) FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL AND attempts > 0),
       'webhookDeliveriesFailed', (SELECT count(*) FROM webhook_deliveries WHERE failed_at IS NOT NULL),
       'oldestPendingWebhookAgeSeconds',
         (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM webhook_deliveries
           WHERE delivered_at IS NULL AND failed_at IS NULL),
       'mailUnsent',
         (SELECT count(*) FROM mail_log WHERE sent_at IS NULL AND created_at < now() - interval '1 minute')
     ) AS figures`,
    // Clients of onboardings that ended without completing were undone: they are no one's to watch.
    [OPEN_STATUSES, FINAL_STATUSES.filter((s) => s !== 'COMPLETED')],
  );
  return rows[0].figures;
}
