import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
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

interface Helpers {
  problem: ResponseConfig;
  body: (schema: z.ZodType) => { body: { content: { 'application/json': { schema: z.ZodType } } } };
  secured: Record<string, string[]>[];
}

const answer = (description: string, schema: z.ZodType): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});
const idempotencyHeader = z.object({
  'Idempotency-Key': z.string().max(200).optional().openapi({ description: 'a repeat gets the first answer' }),
});

/** Webhook subscriptions (PortalDuct), staff and admins. */
export function registerWebhookPaths(registry: OpenAPIRegistry, { problem, body, secured }: Helpers): void {
  const signed =
    'Each delivery is a POST of {id, type, onboardingId, occurredAt, data} signed as Standard Webhooks with the subscription’s secret, through the same durable outbox and egress rules as notify.webhookUrl; one delivery per (subscription, event).';
  registry.registerPath({
    method: 'post',
    path: '/v1/webhooks',
    summary: 'Register a webhook subscription; its secret is answered this once, and a webhook.test event is sent',
    description: `${signed} A live subscription of the same url and tenant is 409 with existingId.`,
    security: secured,
    request: { headers: idempotencyHeader, ...body(CreateWebhookBody) },
    responses: {
      201: answer('The subscription with its secret', CreatedWebhookSubscription),
      400: problem,
      401: problem,
      403: problem,
      409: problem,
      422: problem,
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
      400: problem,
      401: problem,
      403: problem,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/webhooks/{id}',
    summary: 'Delete a subscription: nothing more is sent to it, its pending deliveries are given up; again: 204',
    security: secured,
    request: { params: WebhookParams },
    responses: { 204: { description: 'Deleted' }, 401: problem, 403: problem, 404: problem },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/webhooks/{id}/deliveries',
    summary: 'The delivery log of a subscription, newest first',
    security: secured,
    request: { params: WebhookParams, query: WebhookListQuery },
    responses: {
      200: answer('{webhookId, items}', z.object({ webhookId: z.uuid(), items: z.array(WebhookDelivery) })),
      400: problem,
      401: problem,
      403: problem,
      404: problem,
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
    summary: 'Send one delivery again (same webhook-id, a fresh retry budget); a pending one stays as it is',
    security: secured,
    request: { params: WebhookDeliveryParams, headers: idempotencyHeader },
    responses: {
      202: answer('The delivery, queued', WebhookDelivery),
      401: problem,
      403: problem,
      404: problem,
      409: problem,
      422: problem,
    },
  });
}
