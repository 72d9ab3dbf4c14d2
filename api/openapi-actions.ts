import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { body, idempotencyKeyHeader, json, problems, secured } from './openapi-parts';
import { AmendOnboardingBody, ClientParams, ResendBody } from './onboarding-action-schemas';

/** The actions on an existing onboarding (docs/lifecycle.md). */
export function registerOnboardingActionPaths(registry: OpenAPIRegistry) {
  const id = z.object({ id: z.uuid() });
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings/{id}/resend',
    summary: 'Resend a link (staff, admin): the previous link of that kind stops working (410), a fresh one is mailed',
    description:
      'COLLECTOR while a client awaits credentials (in the onboarding, or after it in a reconnect); APPROVAL_REQUEST while an approval is pending; KIT (while nobody opened it: a new secret replaces the unseen one) and SET_PASSWORD (after the kit was opened, until the password is set) once it has COMPLETED. 409 when there is nothing to resend. Audited.',
    security: secured,
    request: { params: id, headers: idempotencyKeyHeader, ...body(ResendBody) },
    responses: {
      202: json('{id, kind, status: RESENT}'),
      ...problems(400, 401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings/{id}/clients/{partnerProvidedId}/retry',
    summary: 'Retry a FAILED client (staff, admin): a fresh collector link, then the same checks',
    description:
      'While the onboarding runs, a new client path in its workflow, which it joins before it ends; after it COMPLETED, the reconnect workflow. The view shows attempts and outcome; a client.connectivity_changed webhook reports the result. 409 if the client is not FAILED. Audited.',
    security: secured,
    request: { params: ClientParams, headers: idempotencyKeyHeader },
    responses: {
      202: json('{id, partnerProvidedId, status: RETRYING, links}'),
      ...problems(400, 401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'patch',
    path: '/v1/onboardings/{id}',
    summary: 'Amend what has not happened yet (staff, admin); answers the view',
    description:
      'A client until it submitted credentials (a waiting collector link goes again to the new contact and the old one answers 410); notify.email until the kit is mailed; notify.webhookUrl while the onboarding runs (when it started with one). 409 for what can no longer change, and once the onboarding has finished. Audited.',
    security: secured,
    request: { params: id, headers: idempotencyKeyHeader, ...body(AmendOnboardingBody) },
    responses: { 200: json('Onboarding view'), ...problems(400, 401, 403, 404, 409) },
  });
}
