import { Router, type Request } from 'express';
import { withTransaction } from '../../db/transaction';
import { findSubscriptionDelivery, listSubscriptionDeliveries, redeliver } from '../../db/webhook-deliveries';
import {
  deleteWebhookSubscription,
  findWebhookSubscription,
  listLiveWebhookSubscriptions,
} from '../../db/webhook-subscriptions';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { idempotent } from '../idempotent';
import { conflict, notFound } from '../problem';
import { parse } from '../schemas';
import { deliveryView, registerWebhook, subscriptionView } from '../use-cases/webhook-subscriptions';
import { WebhookDeliveryParams, WebhookListQuery, WebhookParams } from '../webhook-schemas';
import { idempotencyKey } from './onboardings';

/** Webhook subscriptions (PortalDuct): register, list, delete, the delivery log and one redelivery. Staff and admins. */
export function webhookRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('staff', 'admin')];

  /** An unknown or malformed id is 404; a deleted subscription is still found (its log stays readable). */
  async function subscriptionOf(req: Request) {
    const parsed = WebhookParams.safeParse(req.params);
    const row = parsed.success ? await findWebhookSubscription(deps.pool, parsed.data.id) : undefined;
    if (!row) throw notFound(`no webhook subscription ${String(req.params.id)}`);
    return row;
  }

  router.post('/v1/webhooks', ...guard, async (req, res) => {
    const caller = callerOf(req);
    const answer = await idempotent(
      deps,
      { caller, key: idempotencyKey(req), route: 'POST /v1/webhooks', body: req.body, sealed: true },
      async () => ({ status: 201, body: await registerWebhook(deps, caller, req.body) }),
    );
    const { id } = answer.body as { id: string };
    res.status(answer.status).location(`${deps.config.publicUrl}/v1/webhooks/${id}`).json(answer.body);
  });

  router.get('/v1/webhooks', ...guard, async (req, res) => {
    const { limit } = parse(WebhookListQuery, req.query);
    const rows = await listLiveWebhookSubscriptions(deps.pool, limit);
    res.json({ items: rows.map(subscriptionView) });
  });

  router.delete('/v1/webhooks/:id', ...guard, async (req, res) => {
    const row = await subscriptionOf(req);
    await withTransaction(deps.pool, (tx) => deleteWebhookSubscription(tx, row.id));
    res.status(204).end();
  });

  router.get('/v1/webhooks/:id/deliveries', ...guard, async (req, res) => {
    const row = await subscriptionOf(req);
    const { limit } = parse(WebhookListQuery, req.query);
    const deliveries = await listSubscriptionDeliveries(deps.pool, row.id, limit);
    res.json({ webhookId: row.id, items: deliveries.map(deliveryView) });
  });

  router.post('/v1/webhooks/:id/deliveries/:deliveryId/redeliver', ...guard, async (req, res) => {
    const caller = callerOf(req);
    const row = await subscriptionOf(req);
    const { deliveryId } = parse(WebhookDeliveryParams, req.params);
    const answer = await idempotent(
      deps,
      {
        caller,
        key: idempotencyKey(req),
        route: `POST /v1/webhooks/${row.id}/deliveries/${deliveryId}/redeliver`,
        body: {},
      },
      async () => {
        if (!(await findSubscriptionDelivery(deps.pool, row.id, deliveryId)))
          throw notFound(`no delivery ${deliveryId} for webhook subscription ${row.id}`);
        if (row.deleted_at) throw conflict('the webhook subscription was deleted; nothing is sent to it any more');
        const delivery = await redeliver(deps.pool, row.id, deliveryId);
        return { status: 202, body: deliveryView(delivery!) };
      },
    );
    res.status(answer.status).json(answer.body);
  });

  return router;
}
