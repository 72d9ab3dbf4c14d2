import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ALL_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES } from '../domain';

extendZodWithOpenApi(z);

/** Webhook subscriptions (PortalDuct), as pinned in the contract's "Webhook subscriptions". */

const EVENT_NAMES = [...WEBHOOK_EVENT_TYPES, ALL_WEBHOOK_EVENTS] as const;

export const CreateWebhookBody = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .openapi({ description: 'the receiver; https and a public address unless EGRESS_ALLOWED_HOSTS names its host' }),
    events: z
      .array(z.enum(EVENT_NAMES))
      .min(1)
      .max(EVENT_NAMES.length)
      .refine((events) => new Set(events).size === events.length, 'an event is listed twice')
      .openapi({ description: '"*" for every event type, present and future' }),
    tenant: z.string().trim().min(1).max(64).optional().openapi({
      description: 'partnerProvidedId or tenantId: only this tenant’s onboardings; absent: every onboarding',
    }),
  })
  .strict()
  .openapi('WebhookSubscriptionRequest');
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const WebhookSubscription = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.string()),
    tenant: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('WebhookSubscription');

export const CreatedWebhookSubscription = WebhookSubscription.extend({
  secret: z.string().openapi({
    description: 'Standard Webhooks signing secret (whsec_…), shown this once; gangway keeps it sealed',
  }),
}).openapi('CreatedWebhookSubscription');

export const WebhookDelivery = z
  .object({
    id: z.string().openapi({ description: 'the webhook-id header the receiver gets' }),
    eventId: z.string(),
    type: z.string(),
    onboardingId: z.uuid().nullable(),
    status: z.enum(['PENDING', 'DELIVERED', 'FAILED']),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    failedAt: z.string().nullable(),
    redeliveredAt: z.string().nullable(),
  })
  .openapi('WebhookDelivery');

export const WebhookParams = z.object({ id: z.uuid() });
export const WebhookDeliveryParams = z.object({ id: z.uuid(), deliveryId: z.string().min(1).max(300) });
export const WebhookListQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
