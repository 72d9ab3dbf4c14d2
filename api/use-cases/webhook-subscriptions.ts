import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../../db/errors';
import { withTransaction } from '../../db/transaction';
import { resolveTenantId } from '../../db/tenants';
import { insertSubscriptionDelivery, type DeliveryRow } from '../../db/webhook-deliveries';
import {
  findLiveDuplicate,
  insertWebhookSubscription,
  type WebhookSubscriptionRow,
} from '../../db/webhook-subscriptions';
import { WEBHOOK_TEST_EVENT } from '../../domain';
import { egressProblem } from '../../lib/egress';
import { newWebhookSecret, webhookSubscriptionSecretContext } from '../../notify/webhook-signing';
import type { WebhookPayload } from '../../notify/webhook-outbox';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { badRequest, conflict } from '../problem';
import { parse } from '../schemas';
import { CreateWebhookBody } from '../webhook-schemas';
import { UUID } from '../ids';

/**
 * Registers a subscription: the receiver must pass the egress rules now (and again when each delivery
 * connects), a tenantId must name a tenant, and a live subscription of the same receiver and tenant is 409
 * naming it. The secret is stored sealed and answered this once; the test event is queued with the row.
 */
export async function registerWebhook(deps: ApiDeps, caller: Caller, raw: unknown) {
  const body = parse(CreateWebhookBody, raw);
  const refused = await egressProblem(body.url, { allowedHosts: deps.config.egress.allowedHosts });
  if (refused) throw badRequest(`url: ${refused}`, [{ path: 'url', message: refused }]);
  const tenant = body.tenant ?? null;
  // A partnerProvidedId may name a tenant still to be onboarded; a tenantId can only name one that exists.
  if (tenant && UUID.test(tenant) && !(await resolveTenantId(deps.pool, tenant)))
    throw badRequest(`tenant: no tenant ${tenant}`, [{ path: 'tenant', message: `no tenant ${tenant}` }]);
  const exists = async () => {
    const duplicate = await findLiveDuplicate(deps.pool, body.url, tenant);
    return (
      duplicate &&
      conflict('a webhook subscription for this url and tenant exists already', { existingId: duplicate.id })
    );
  };
  const existing = await exists();
  if (existing) throw existing;

  const id = randomUUID();
  const secret = newWebhookSecret();
  const row = await withTransaction(deps.pool, async (tx) => {
    const created = await insertWebhookSubscription(tx, {
      id,
      url: body.url,
      events: body.events,
      tenant,
      secretSealed: deps.secrets.seal(secret, webhookSubscriptionSecretContext(id)),
      createdBy: caller.id,
    });
    const eventId = `${WEBHOOK_TEST_EVENT}.${id}`;
    const payload: WebhookPayload = {
      id: eventId,
      type: WEBHOOK_TEST_EVENT,
      onboardingId: null,
      occurredAt: created.created_at.toISOString(),
      data: { webhookId: id, events: body.events, tenant },
    };
    await insertSubscriptionDelivery(tx, {
      subscriptionId: id,
      eventId,
      url: body.url,
      type: WEBHOOK_TEST_EVENT,
      payload,
    });
    return created;
  }).catch(async (err: unknown) => {
    // Registered by a concurrent request between the check and the insert.
    if (isUniqueViolation(err, 'webhook_subscriptions_live_url')) throw (await exists()) ?? err;
    throw err;
  });
  return { ...subscriptionView(row), secret };
}

export const subscriptionView = (row: WebhookSubscriptionRow) => ({
  id: row.id,
  url: row.url,
  events: row.events,
  tenant: row.tenant,
  createdAt: row.created_at.toISOString(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const deliveryView = (row: DeliveryRow) => ({
  id: row.id,
  eventId: row.event_id ?? row.id,
  type: row.event_type ?? 'unknown',
  onboardingId: row.onboarding_id,
  status: row.delivered_at ? 'DELIVERED' : row.failed_at ? 'FAILED' : 'PENDING',
  attempts: row.attempts,
  lastStatus: row.last_status,
  lastError: row.last_error,
  createdAt: row.created_at.toISOString(),
  nextAttemptAt: row.delivered_at || row.failed_at ? null : row.next_attempt_at.toISOString(),
  deliveredAt: iso(row.delivered_at),
  failedAt: iso(row.failed_at),
  redeliveredAt: iso(row.redelivered_at),
});
