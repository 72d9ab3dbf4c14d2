import { types } from 'node:util';
import type { Pool } from 'pg';
import { insertOnboardingFailureNotice } from '../db/failure-notices';
import {
  claimDueDeliveries,
  markDelivered,
  msUntilNextDelivery,
  recordFailedAttempt,
  type ClaimedDelivery,
} from '../db/webhook-deliveries';
import { isEgressRefusal } from '../lib/egress';
import type { Logger } from '../lib/logger';
import { pollingLoop } from '../lib/polling-loop';
import { backoffDelayMs } from './webhook-backoff';
import type { WebhookPayload } from './webhook-outbox';
import { signWebhook } from './webhook-signing';

export interface WebhookDispatcherOptions {
  pool: Pool;
  /** Opens onboardings.webhook_secret_enc; the caller owns the sealing context. */
  openSecret: (sealed: string, onboardingId: string) => string;
  /** Opens webhook_subscriptions.secret_enc (a subscription's deliveries are signed with its own secret). */
  openSubscriptionSecret?: (sealed: string, subscriptionId: string) => string;
  /** The egress guard's fetch (lib/egress.ts): https, no internal address, checked when it connects. */
  fetch: typeof fetch;
  log: Logger;
  retryInitialMs: number;
  maxAttempts: number;
  /** The pause between rounds while nothing wakes the dispatcher. */
  pollIntervalMs?: number;
  /**
   * True while the dispatcher is woken (wake()) whenever a delivery becomes due now (notify/work-due.ts):
   * between rounds it then sleeps until the next delivery is due, at most `idleMs`, instead of polling.
   */
  wokenWhenDue?: () => boolean;
  idleMs?: number;
  batchSize?: number;
  timeoutMs?: number;
  clock?: () => Date;
}

export interface WebhookDispatcher {
  /** Claims and attempts the deliveries due now; returns how many it attempted. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  /** A delivery is due now: the next round starts at once. */
  wake(): void;
}

/** The shortest sleep until a delivery due now or in the past (another worker may hold it for the moment). */
const MIN_PAUSE_MS = 50;

type Claimed = ClaimedDelivery<WebhookPayload>;

type Outcome = { ok: true; status: number } | { ok: false; status?: number; error?: string; permanent?: boolean };

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { pool, openSecret, log, retryInitialMs, maxAttempts } = options;
  const fetchFn = options.fetch;
  const clock = options.clock ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const idleMs = options.idleMs ?? 30_000;
  const batchSize = options.batchSize ?? 10;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Long enough that a lease never runs out while its request can still be in flight.
  const leaseMs = timeoutMs + 30_000;

  /** The signing secret: the subscription's for its deliveries, else the onboarding's; a string says why none. */
  function secretOf(row: Claimed): { secret: string } | { missing: string } {
    if (row.subscription_id) {
      if (!row.subscription_secret_enc || !options.openSubscriptionSecret) return { missing: 'subscription deleted' };
      return { secret: options.openSubscriptionSecret(row.subscription_secret_enc, row.subscription_id) };
    }
    if (!row.webhook_secret_enc || !row.onboarding_id) return { missing: 'onboarding has no webhook secret' };
    return { secret: openSecret(row.webhook_secret_enc, row.onboarding_id) };
  }

  async function post(row: Claimed): Promise<Outcome> {
    try {
      const found = secretOf(row);
      if ('missing' in found) return { ok: false, error: found.missing, permanent: true };
      const { secret } = found;
      const body = JSON.stringify(row.payload);
      const response = await fetchFn(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signWebhook({ secret, id: row.id, timestamp: clock(), body }),
        },
        body,
        // A redirect is not an acknowledgement, and following it would send the signed event elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The answer is the status; the body is drained only to free the connection.
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? { ok: true, status: response.status } : { ok: false, status: response.status };
    } catch (err) {
      // The guard checks the address it connects to (the name may resolve elsewhere than at the start).
      if (isEgressRefusal(err)) return { ok: false, error: 'refused: EGRESS_REFUSED', permanent: true };
      return { ok: false, error: describeError(err) };
    }
  }

  async function attempt(row: Claimed): Promise<void> {
    const outcome = await post(row);
    const context = { deliveryId: row.id, host: hostOf(row.url), attempt: row.attempts, status: outcome.status };
    if (outcome.ok) {
      await markDelivered(pool, { id: row.id, attempts: row.attempts, status: outcome.status });
      log.info(context, 'webhook delivered');
      return;
    }
    const error = outcome.error ?? `HTTP ${outcome.status}`;
    // A redelivery starts a fresh budget: attempts keeps counting (the stale-lease guard needs it), the base moves.
    const tries = row.attempts - row.attempts_base;
    const giveUp = outcome.permanent === true || tries >= maxAttempts;
    await recordFailedAttempt(pool, {
      id: row.id,
      attempts: row.attempts,
      status: outcome.status ?? null,
      error,
      giveUp,
      retryInMs: backoffDelayMs(tries, retryInitialMs),
    });
    if (giveUp) {
      log.error({ ...context, error }, 'webhook delivery failed for good');
      // TecCom: a failed webhook run is told to the tenant's failure notification emails (once per give-up).
      // Only the onboarding's own receiver (notify.webhookUrl) is the customer's; a subscription's failures
      // belong to whoever registered it, and show in its delivery log.
      if (row.onboarding_id && !row.subscription_id)
        await insertOnboardingFailureNotice(pool, row.onboarding_id, {
          key: `webhook:${row.id}:${row.attempts}`,
          kind: 'WEBHOOK_FAILED',
          subject: `Webhook delivery failed: ${(row.payload as { type?: string }).type ?? 'event'}`,
          body: [
            `gangway gave up delivering the event ${row.payload.id} to ${hostOf(row.url)} after ${row.attempts} attempts.`,
            `Last error: ${error}. It can be sent again from the delivery log (POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver).`,
          ].join('\n'),
        });
    } else log.warn({ ...context, error }, 'webhook attempt failed, will retry');
  }

  async function runOnce(): Promise<number> {
    // Claimed in one short statement (db/webhook-deliveries.ts); the HTTP calls run with no connection held.
    const rows = await claimDueDeliveries<WebhookPayload>(pool, batchSize, leaseMs);
    const results = await Promise.allSettled(rows.map(attempt));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return rows.length;
  }

  const loop = pollingLoop({
    runOnce,
    intervalMs: pollIntervalMs,
    log,
    failure: 'webhook dispatch round failed',
    pauseMs: async (attempted) => {
      // A full batch suggests more are due: go again at once rather than after the interval.
      if (attempted >= batchSize) return 0;
      if (!options.wokenWhenDue?.()) return pollIntervalMs;
      // Woken for deliveries due now, it need only wake itself for the retries due later.
      const next = await msUntilNextDelivery(pool);
      return next === undefined ? idleMs : Math.min(idleMs, Math.max(MIN_PAUSE_MS, next));
    },
  });
  return { runOnce, start: loop.start, stop: loop.stop, wake: loop.wake };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}

/**
 * Class and message only (and a network cause's code): nothing here may carry the secret or the body.
 * isNativeError rather than instanceof, because fetch's errors may come from another realm (jest's).
 */
function describeError(err: unknown): string {
  if (!types.isNativeError(err)) return 'unknown error';
  const { cause } = err;
  const detail = types.isNativeError(cause) ? ` (${(cause as NodeJS.ErrnoException).code ?? cause.message})` : '';
  return `${err.name}: ${err.message}${detail}`.slice(0, 500);
}
