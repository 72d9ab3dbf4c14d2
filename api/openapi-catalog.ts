import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { problems, secured } from './openapi-parts';
import { z } from 'zod';

export const IntegrationSystemCatalog = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        requiresName: z
          .boolean()
          .openapi({ description: 'true for "Other": the start then needs integrationSystemName' }),
      }),
    ),
  })
  .openapi('IntegrationSystemCatalog');

export function registerCatalogPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/catalog/integration-systems',
    summary: 'The integration systems a start may name (integrationUser.integrationSystem) (staff, admin)',
    security: secured,
    responses: {
      200: { description: 'The catalog', content: { 'application/json': { schema: IntegrationSystemCatalog } } },
      ...problems(401, 403),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings/{id}/kit-link',
    summary:
      'A reveal-once link to the kit of an onboarding started with notify.sendCredentials false, for staff to hand over (staff, admin)',
    description:
      'Each call replaces the previous link; the same Idempotency-Key answers the same link. 409 when the kit was mailed, is not ready, or was opened. Audited as KIT_LINK_ISSUED.',
    security: secured,
    request: { params: z.object({ id: z.uuid() }) },
    responses: {
      201: {
        description: 'The link, shown once',
        content: {
          'application/json': {
            schema: z.object({ url: z.string(), expiresAt: z.string() }).openapi('KitHandoverLink'),
          },
        },
      },
      ...problems(401, 403, 404, 409),
    },
  });
}
