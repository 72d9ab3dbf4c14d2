import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { problems, secured } from './openapi-parts';
import { z } from 'zod';
import { OnboardingStatsQuery } from './schemas';

const seconds = z.number().int().nullable();

/** GET /v1/stats/onboardings: what the console's chart and percentiles are drawn from. */
export const OnboardingStats = z
  .object({
    generatedAt: z.iso.datetime(),
    days: z.array(
      z.object({
        day: z.iso.date().openapi({ description: 'a UTC day; every day of the window is listed, empty ones too' }),
        counts: z
          .object({
            COMPLETED: z.number().int(),
            REJECTED: z.number().int(),
            CANCELLED: z.number().int(),
            FAILED: z.number().int(),
            OPEN: z.number().int(),
          })
          .openapi({ description: 'the onboardings started that day, by their status now (OPEN: not finished)' }),
      }),
    ),
    timeToComplete: z
      .object({ count: z.number().int(), p50Seconds: seconds, p90Seconds: seconds, p99Seconds: seconds })
      .openapi({
        description: 'start to COMPLETED, over the window’s completed onboardings; null when there are none',
      }),
  })
  .openapi('OnboardingStats');

/** The staff console's page and its aggregates. */
export function registerConsolePaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/console',
    summary: 'The staff console: onboardings with filters, outcomes per day, time to complete (log in as staff)',
    responses: { 200: { description: 'HTML page' } },
  });
  registry.registerPath({
    method: 'get',
    path: '/console/onboardings/{id}',
    summary: "The staff console's page of one onboarding: steps, approvals and audit trail, clients, kit, actions",
    request: { params: z.object({ id: z.string() }) },
    responses: { 200: { description: 'HTML page' } },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/stats/onboardings',
    summary: 'Onboardings started per day by outcome, and time-to-complete percentiles (staff, admin)',
    security: secured,
    request: { query: OnboardingStatsQuery },
    responses: {
      200: { description: 'The aggregates', content: { 'application/json': { schema: OnboardingStats } } },
      ...problems(400, 401, 403),
    },
  });
}
