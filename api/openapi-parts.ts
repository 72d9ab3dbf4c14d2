import { extendZodWithOpenApi, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

/**
 * The pieces every path of the OpenAPI document is built from, so that each module of paths
 * (api/openapi*.ts) says only what is its own: the problem answer, JSON bodies and answers, the
 * Idempotency-Key header and the two bearer schemes (registered under these names in api/openapi.ts).
 */

/** Every 4xx and 5xx answer: application/problem+json (RFC 9457), errors[] for a 400. */
export const problem: ResponseConfig = {
  description: 'Problem (RFC 9457)',
  content: {
    'application/problem+json': {
      schema: z.object({
        type: z.string(),
        title: z.string(),
        status: z.number(),
        detail: z.string().optional(),
        errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
        requestId: z
          .string()
          .optional()
          .openapi({ description: 'the X-Request-Id of the request, also in its log lines' }),
      }),
    },
  },
};

/** The problem answers of a path, by status: `responses: { 200: …, ...problems(400, 404) }`. */
export const problems = (...statuses: number[]): Record<number, ResponseConfig> =>
  Object.fromEntries(statuses.map((status) => [status, problem]));

/** A JSON answer described in words (its schema is open). */
export const json = (description: string): ResponseConfig => ({
  description,
  content: { 'application/json': { schema: z.object({}).passthrough() } },
});

/** A JSON answer with its schema. */
export const answer = (description: string, schema: z.ZodType): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});

/** A JSON request body. */
export const body = (schema: z.ZodType) => ({ body: { content: { 'application/json': { schema } } } });

/** The header of every keyed write (api/idempotent.ts). */
export const idempotencyKeyHeader = z.object({
  'Idempotency-Key': z.string().max(200).optional().openapi({ description: 'a repeat gets the first answer' }),
});

export const STAFF_BEARER = 'bearer';
export const CUSTOMER_BEARER = 'platformBearer';
/** A person's access token (staff, admin, approver): POST /v1/login. */
export const secured = [{ [STAFF_BEARER]: [] as string[] }];
/** A customer system's access token: POST /oauth/token. */
export const platform = [{ [CUSTOMER_BEARER]: [] as string[] }];
