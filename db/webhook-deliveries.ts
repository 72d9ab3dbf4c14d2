import type { Queryable } from './queryable';

/** The webhook outbox: one row per event and receiver, written with the change it announces. */

export interface NewWebhookDelivery {
  id: string;
  onboardingId: string;
  url: string;
  payload: unknown;
}

/** Returns whether a row was added: an event id already queued (a replayed write) adds nothing. */
export async function insertWebhookDelivery(db: Queryable, delivery: NewWebhookDelivery): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO webhook_deliveries (id, onboarding_id, url, payload) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING`,
    [delivery.id, delivery.onboardingId, delivery.url, JSON.stringify(delivery.payload)],
  );
  return rowCount === 1;
}

export interface ClaimedDelivery<Payload = unknown> {
  id: string;
  onboarding_id: string;
  url: string;
  payload: Payload;
  /** This attempt's number, counted when it was claimed. */
  attempts: number;
  /** The onboarding's sealed signing secret (onboardings.webhook_secret_enc). */
  webhook_secret_enc: string | null;
}

/**
 * Claiming pushes next_attempt_at one lease into the future and counts the attempt, in one short
 * statement; the HTTP call then runs outside any transaction. If the dispatcher dies mid-delivery the
 * lease runs out and another one retries: at-least-once, which receivers absorb by webhook-id.
 * Counting at claim time also bounds a delivery that keeps crashing its dispatcher.
 */
export async function claimDueDeliveries<Payload>(
  db: Queryable,
  batchSize: number,
  leaseMs: number,
): Promise<ClaimedDelivery<Payload>[]> {
  const { rows } = await db.query<ClaimedDelivery<Payload>>(
    `WITH due AS (
       SELECT d.id, o.webhook_secret_enc
         FROM webhook_deliveries d
         LEFT JOIN onboardings o ON o.id = d.onboarding_id
        WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
        ORDER BY d.next_attempt_at
        LIMIT $1
          FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries d
        SET attempts = d.attempts + 1,
            next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       FROM due
      WHERE d.id = due.id
     RETURNING d.id, d.onboarding_id, d.url, d.payload, d.attempts, due.webhook_secret_enc`,
    [batchSize, leaseMs],
  );
  return rows;
}

/*
 * The outcome of one attempt. `attempts = $n` makes a result from an attempt whose lease ran out
 * unable to overwrite a newer attempt's.
 */

export async function markDelivered(
  db: Queryable,
  attempt: { id: string; attempts: number; status: number },
): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET delivered_at = now(), last_status = $2, last_error = NULL
      WHERE id = $1 AND attempts = $3`,
    [attempt.id, attempt.status, attempt.attempts],
  );
}

/** A failed attempt: tried again after retryInMs, or never again when giveUp. */
export async function recordFailedAttempt(
  db: Queryable,
  attempt: { id: string; attempts: number; status: number | null; error: string; giveUp: boolean; retryInMs: number },
): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries
        SET last_status = $2, last_error = $3,
            failed_at = CASE WHEN $4::boolean THEN now() END,
            next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
      WHERE id = $1 AND attempts = $6`,
    [attempt.id, attempt.status, attempt.error, attempt.giveUp, attempt.retryInMs, attempt.attempts],
  );
}
