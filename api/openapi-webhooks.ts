import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, body, idempotencyKeyHeader, problems, secured } from './openapi-parts';
import { z } from 'zod';
import {
  CreatedWebhookSubscription,
  CreateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryParams,
  WebhookListQuery,
  WebhookParams,
  WebhookSubscription,
} from './webhook-schemas';

/** Webhook subscriptions (PortalDuct), staff and admins. */
export function registerWebhookPaths(registry: OpenAPIRegistry): void {
  const signed =
    'Each delivery is a POST of {id, type, onboardingId, occurredAt, data} signed as Standard Webhooks with the subscription’s secret, through the same durable outbox and egress rules as notify.webhookUrl; one delivery per (subscription, event).';
  registry.registerPath({
    method: 'post',
    path: '/v1/webhooks',
    summary: 'Register a webhook subscription; its secret is answered this once, and a webhook.test event is sent',
    description: `${signed} A live subscription of the same url and tenant is 409 with existingId.`,
    security: secured,
    request: { headers: idempotencyKeyHeader, ...body(CreateWebhookBody) },
    responses: {
      201: answer('The subscription with its secret', CreatedWebhookSubscription),
      ...problems(400, 401, 403, 409, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/webhooks',
    summary: 'The live webhook subscriptions, newest first (never their secrets)',
    security: secured,
    request: { query: WebhookListQuery },
    responses: {
      200: answer('{items}', z.object({ items: z.array(WebhookSubscription) })),
      ...problems(400, 401, 403),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/webhooks/{id}',
    summary: 'Delete a subscription: nothing more is sent to it, its pending deliveries are given up; again: 204',
    security: secured,
    request: { params: WebhookParams },
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/webhooks/{id}/deliveries',
    summary: 'The delivery log of a subscription, newest first',
    security: secured,
    request: { params: WebhookParams, query: WebhookListQuery },
    responses: {
      200: answer('{webhookId, items}', z.object({ webhookId: z.uuid(), items: z.array(WebhookDelivery) })),
      ...problems(400, 401, 403, 404),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
    summary: 'Send one delivery again (same webhook-id, a fresh retry budget); a pending one stays as it is',
    security: secured,
    request: { params: WebhookDeliveryParams, headers: idempotencyKeyHeader },
    responses: {
      202: answer('The delivery, queued', WebhookDelivery),
      ...problems(401, 403, 404, 409, 422),
    },
  });
}
