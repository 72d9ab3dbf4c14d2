import { types } from 'node:util';
import type { Pool } from 'pg';
import type { Logger } from '../lib/logger';
import { backoffDelayMs } from './webhook-backoff';
import type { WebhookPayload } from './webhook-outbox';
import { signWebhook } from './webhook-signing';
import { webhookUrlProblem, type Lookup } from './webhook-url-guard';

export interface WebhookDispatcherOptions {
  pool: Pool;
  /** Opens onboardings.webhook_secret_enc; the caller owns the sealing context. */
  openSecret: (sealed: string, onboardingId: string) => string;
  fetch?: typeof fetch;
  log: Logger;
  retryInitialMs: number;
  maxAttempts: number;
  /** Hosts that may be called although they resolve to internal addresses (WEBHOOK_ALLOWED_HOSTS). */
  allowedHosts: readonly string[];
  lookup?: Lookup;
  pollIntervalMs?: number;
  batchSize?: number;
  timeoutMs?: number;
  clock?: () => Date;
}

export interface WebhookDispatcher {
  /** Claims and attempts the deliveries due now; returns how many it attempted. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

interface ClaimedDelivery {
  id: string;
  onboarding_id: string;
  url: string;
  payload: WebhookPayload;
  attempts: number;
  webhook_secret_enc: string | null;
}

type Outcome = { ok: true; status: number } | { ok: false; status?: number; error?: string; permanent?: boolean };

/**
 * Claiming pushes next_attempt_at one lease into the future and counts the attempt, in one short
 * statement; the HTTP call then runs outside any transaction. If this process dies mid-delivery the
 * lease runs out and another dispatcher retries: at-least-once, which receivers absorb by webhook-id.
 * Counting at claim time also bounds a delivery that keeps crashing its dispatcher.
 */
const CLAIM_DUE = `
  WITH due AS (
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
  RETURNING d.id, d.onboarding_id, d.url, d.payload, d.attempts, due.webhook_secret_enc`;

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { pool, openSecret, log, retryInitialMs, maxAttempts } = options;
  const fetchFn = options.fetch ?? fetch;
  const clock = options.clock ?? (() => new Date());
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 10;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Long enough that a lease never runs out while its request can still be in flight.
  const leaseMs = timeoutMs + 30_000;

  async function post(row: ClaimedDelivery): Promise<Outcome> {
    if (!row.webhook_secret_enc) return { ok: false, error: 'onboarding has no webhook secret', permanent: true };
    // Checked again at delivery: the name may resolve elsewhere now than when the onboarding started.
    const refused = await webhookUrlProblem(row.url, options.allowedHosts, options.lookup);
    if (refused) return { ok: false, error: `refused: ${refused}`, permanent: true };
    try {
      const secret = openSecret(row.webhook_secret_enc, row.onboarding_id);
      const body = JSON.stringify(row.payload);
      const response = await fetchFn(row.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signWebhook({ secret, id: row.id, timestamp: clock(), body }) },
        body,
        // A redirect is not an acknowledgement, and following it would send the signed event elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The answer is the status; the body is drained only to free the connection.
      await response.body?.cancel().catch(() => undefined);
      return response.ok ? { ok: true, status: response.status } : { ok: false, status: response.status };
    } catch (err) {
      return { ok: false, error: describeError(err) };
    }
  }

  async function attempt(row: ClaimedDelivery): Promise<void> {
    const outcome = await post(row);
    const context = { deliveryId: row.id, host: hostOf(row.url), attempt: row.attempts, status: outcome.status };
    // `attempts = $n` makes a result from an attempt whose lease ran out unable to overwrite a newer one.
    if (outcome.ok) {
      await pool.query(
        `UPDATE webhook_deliveries SET delivered_at = now(), last_status = $2, last_error = NULL
          WHERE id = $1 AND attempts = $3`,
        [row.id, outcome.status, row.attempts],
      );
      log.info(context, 'webhook delivered');
      return;
    }
    const error = outcome.error ?? `HTTP ${outcome.status}`;
    const giveUp = outcome.permanent === true || row.attempts >= maxAttempts;
    await pool.query(
      `UPDATE webhook_deliveries
          SET last_status = $2, last_error = $3,
              failed_at = CASE WHEN $4::boolean THEN now() END,
              next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
        WHERE id = $1 AND attempts = $6`,
      [row.id, outcome.status ?? null, error, giveUp, backoffDelayMs(row.attempts, retryInitialMs), row.attempts],
    );
    if (giveUp) log.error({ ...context, error }, 'webhook delivery failed for good');
    else log.warn({ ...context, error }, 'webhook attempt failed, will retry');
  }

  async function runOnce(): Promise<number> {
    const { rows } = await pool.query<ClaimedDelivery>(CLAIM_DUE, [batchSize, leaseMs]);
    const results = await Promise.allSettled(rows.map(attempt));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return rows.length;
  }

  let running: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;

  async function loop(): Promise<void> {
    while (!stopping) {
      let attempted = 0;
      try {
        attempted = await runOnce();
      } catch (err) {
        log.error({ err }, 'webhook dispatch round failed');
      }
      // A full batch suggests more are due: go again at once rather than after the interval.
      if (attempted < batchSize && !stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  }

  return {
    runOnce,
    start() {
      if (running) return;
      stopping = false;
      running = loop();
    },
    async stop() {
      stopping = true;
      wake?.();
      await running;
      running = undefined;
    },
  };
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
