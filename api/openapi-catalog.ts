import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

export const IntegrationSystemCatalog = z
  .object({
    items: z.array(
      z.object({
        name: z.string(),
        requiresName: z.boolean().openapi({ description: 'true for "Other": the start then needs integrationSystemName' }),
      }),
    ),
  })
  .openapi('IntegrationSystemCatalog');

export function registerCatalogPaths(
  registry: OpenAPIRegistry,
  { problem, secured }: { problem: ResponseConfig; secured: Record<string, string[]>[] },
): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/catalog/integration-systems',
    summary: 'The integration systems a start may name (integrationUser.integrationSystem) (staff, admin)',
    security: secured,
    responses: {
      200: { description: 'The catalog', content: { 'application/json': { schema: IntegrationSystemCatalog } } },
      401: problem,
      403: problem,
    },
  });
}
