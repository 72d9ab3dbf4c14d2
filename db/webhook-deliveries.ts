import type { Queryable } from './queryable';

/** The webhook outbox: one row per event and receiver, written with the change it announces. */

export interface NewWebhookDelivery {
  id: string;
  onboardingId: string;
  url: string;
  payload: unknown;
  eventType?: string;
}

/** Returns whether a row was added: an event id already queued (a replayed write) adds nothing. */
export async function insertWebhookDelivery(db: Queryable, delivery: NewWebhookDelivery): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO webhook_deliveries (id, onboarding_id, url, payload, event_id, event_type) VALUES ($1, $2, $3, $4, $1, $5)
     ON CONFLICT (id) DO NOTHING`,
    [delivery.id, delivery.onboardingId, delivery.url, JSON.stringify(delivery.payload), delivery.eventType ?? null],
  );
  return rowCount === 1;
}

/**
 * Whether the live subscription `s` wants an event of this type about this tenant (its type or "*" among
 * the subscription's events; the subscription for every tenant, or for this one by partnerProvidedId or
 * tenantId), the SQL expressions given. Shared with the read model's one-statement write
 * (writeOnboardingProgress, db/onboardings.ts), so that both fan out alike.
 */
export const subscriptionWants = (s: string, eventType: string, partnerProvidedId: string, tenantId: string) =>
  `${s}.deleted_at IS NULL
        AND (${eventType} = ANY (${s}.events) OR '*' = ANY (${s}.events))
        AND (${s}.tenant IS NULL OR ${s}.tenant = ${partnerProvidedId} OR ${s}.tenant = ${tenantId})`;

/**
 * The event's copies for every live subscription that wants it: its type (or "*") among the subscription's
 * events, and the subscription for every tenant or for this onboarding's (by partnerProvidedId or tenantId).
 * Any event type written to the outbox fans out; one row per (subscription, event), so a replayed write
 * adds nothing. Returns how many rows were added.
 */
export async function insertSubscriptionDeliveries(
  db: Queryable,
  event: { eventId: string; onboardingId: string | null; type: string; payload: unknown },
): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO webhook_deliveries (id, onboarding_id, url, payload, subscription_id, event_id, event_type)
     SELECT $1 || '.' || s.id, $2, s.url, $4, s.id, $1, $3
       FROM webhook_subscriptions s
       LEFT JOIN onboardings o ON o.id = $2
      WHERE ${subscriptionWants('s', '$3', 'o.partner_provided_id', "o.view -> 'tenant' ->> 'tenantId'")}
     ON CONFLICT DO NOTHING`,
    [event.eventId, event.onboardingId, event.type, JSON.stringify(event.payload)],
  );
  return rowCount ?? 0;
}

/** One delivery queued for one subscription alone (its test event). */
export async function insertSubscriptionDelivery(
  db: Queryable,
  delivery: { subscriptionId: string; eventId: string; url: string; type: string; payload: unknown },
): Promise<void> {
  await db.query(
    `INSERT INTO webhook_deliveries (id, onboarding_id, url, payload, subscription_id, event_id, event_type)
     VALUES ($6, NULL, $3, $4, $2, $1, $5) ON CONFLICT DO NOTHING`,
    [
      delivery.eventId,
      delivery.subscriptionId,
      delivery.url,
      JSON.stringify(delivery.payload),
      delivery.type,
      `${delivery.eventId}.${delivery.subscriptionId}`,
    ],
  );
}

export interface ClaimedDelivery<Payload = unknown> {
  id: string;
  onboarding_id: string | null;
  url: string;
  payload: Payload;
  /** This attempt's number, counted when it was claimed. */
  attempts: number;
  /** Attempts made before the last redelivery: the retry budget counts from here. */
  attempts_base: number;
  /** The onboarding's sealed signing secret (onboardings.webhook_secret_enc). */
  webhook_secret_enc: string | null;
  /** Set for a subscription's delivery, which is signed with the subscription's secret instead. */
  subscription_id: string | null;
  /** The live subscription's sealed secret; null once it was deleted. */
  subscription_secret_enc: string | null;
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
       SELECT d.id, o.webhook_secret_enc, s.secret_enc AS subscription_secret_enc
         FROM webhook_deliveries d
         LEFT JOIN onboardings o ON o.id = d.onboarding_id
         LEFT JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.deleted_at IS NULL
        WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= now()
        ORDER BY d.next_attempt_at
        LIMIT $1
          FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries d
        SET attempts = d.attempts + 1,
            next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       FROM due
      WHERE d.id = due.id
     RETURNING d.id, d.onboarding_id, d.url, d.payload, d.attempts, d.attempts_base, due.webhook_secret_enc,
               d.subscription_id, due.subscription_secret_enc`,
    [batchSize, leaseMs],
  );
  return rows;
}

/**
 * How long until the next delivery is due (negative when one is due now), or undefined when none is
 * waiting: the dispatcher sleeps that long when it is woken for deliveries due now (notify/work-due.ts).
 */
export async function msUntilNextDelivery(db: Queryable): Promise<number | undefined> {
  const { rows } = await db.query<{ ms: number | null }>(
    `SELECT (extract(epoch FROM min(next_attempt_at) - now()) * 1000)::float8 AS ms FROM webhook_deliveries
      WHERE delivered_at IS NULL AND failed_at IS NULL`,
  );
  return rows[0].ms ?? undefined;
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

export interface DeliveryRow {
  id: string;
  event_id: string | null;
  event_type: string | null;
  onboarding_id: string | null;
  attempts: number;
  attempts_base: number;
  next_attempt_at: Date;
  delivered_at: Date | null;
  failed_at: Date | null;
  last_status: number | null;
  last_error: string | null;
  redelivered_at: Date | null;
  created_at: Date;
}

const DELIVERY_COLUMNS = `id, event_id, event_type, onboarding_id, attempts, attempts_base, next_attempt_at, delivered_at,
  failed_at, last_status, last_error, redelivered_at, created_at`;

/** A subscription's delivery log, newest first. */
export async function listSubscriptionDeliveries(
  db: Queryable,
  subscriptionId: string,
  limit: number,
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = $1
      ORDER BY created_at DESC, id LIMIT $2`,
    [subscriptionId, limit],
  );
  return rows;
}

export async function findSubscriptionDelivery(
  db: Queryable,
  subscriptionId: string,
  deliveryId: string,
): Promise<DeliveryRow | undefined> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = $1 AND id = $2`,
    [subscriptionId, deliveryId],
  );
  return rows[0];
}

/**
 * Queues a settled delivery (delivered or given up) once more, with a fresh retry budget; the same
 * webhook-id, so a receiver that has it already can tell. A pending one is left as it is (it is on its
 * way already), which makes asking twice change nothing more than asking once.
 */
export async function redeliver(
  db: Queryable,
  subscriptionId: string,
  deliveryId: string,
): Promise<DeliveryRow | undefined> {
  await db.query(
    `UPDATE webhook_deliveries
        SET delivered_at = NULL, failed_at = NULL, last_error = NULL, next_attempt_at = now(),
            attempts_base = attempts, redelivered_at = now()
      WHERE subscription_id = $1 AND id = $2 AND (delivered_at IS NOT NULL OR failed_at IS NOT NULL)`,
    [subscriptionId, deliveryId],
  );
  return findSubscriptionDelivery(db, subscriptionId, deliveryId);
}
