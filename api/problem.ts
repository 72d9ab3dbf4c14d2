import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../lib/logger';

/** An RFC 9457 problem: every error the API returns has this shape, never a stack trace. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (detail: string, errors: { path: string; message: string }[] = []) =>
  new HttpProblem(400, 'Invalid request', detail, { errors });
export const unauthorized = (detail = 'A valid bearer token is required') =>
  new HttpProblem(401, 'Unauthorized', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'Forbidden', detail);
export const notFound = (detail: string) => new HttpProblem(404, 'Not found', detail);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem(409, 'Conflict', detail, extra);
export const gone = (detail: string) => new HttpProblem(410, 'Gone', detail);
/** An abuse limit (api/limits.ts): Retry-After in whole seconds, at least one. */
export const tooManyRequests = (waitMs: number) => {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new HttpProblem(
    429,
    'Too many requests',
    `Too many attempts: try again in ${seconds} s`,
    {},
    { 'retry-after': String(seconds) },
  );
};
/** How long a client should wait before asking again after an outage answer. */
export const RETRY_AFTER_SECONDS = 5;
export const unavailable = (dependency: 'PostgreSQL' | 'Temporal') =>
  new HttpProblem(
    503,
    'Service unavailable',
    `${dependency} is unavailable for a moment; nothing was changed, so the same request can be sent again`,
    { retryAfter: RETRY_AFTER_SECONDS },
  );

/** pg's SQLSTATE classes and messages that mean the server, not the statement: connection lost, shutting down, starting. */
const PG_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const PG_UNAVAILABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|not queryable|connection error|the database system is (starting up|shutting down)/i;
/** gRPC UNAVAILABLE (14) and DEADLINE_EXCEEDED (4): Temporal could not be reached or did not answer in time. */
const GRPC_OUTAGE_CODES = new Set([4, 14]);

/**
 * Which dependency an error says is down, if any: a PostgreSQL connection that failed or could not be
 * had in time (the pool exhausted), or a Temporal call that could not reach the frontend. Walks the
 * cause chain, since the Temporal client wraps the gRPC error in a ServiceError.
 */
export function outageOf(err: unknown): 'PostgreSQL' | 'Temporal' | undefined {
  for (let e = err as Record<string, unknown> | undefined, depth = 0; e && depth < 5; depth++) {
    const code = e.code;
    const name = typeof e.name === 'string' ? e.name : '';
    if (typeof code === 'number' && GRPC_OUTAGE_CODES.has(code)) return 'Temporal';
    if (name === 'ConnectionError' || name === 'TransportError') return 'Temporal';
    if (typeof code === 'string' && (PG_UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return 'PostgreSQL';
    if (typeof e.message === 'string' && PG_UNAVAILABLE_MESSAGES.test(e.message) && !name.includes('Service'))
      return 'PostgreSQL';
    e = e.cause as Record<string, unknown> | undefined;
  }
  return undefined;
}

/**
 * gRPC UNAVAILABLE: the call never reached a frontend that could act on it, so what it asked for did
 * not happen. A deadline, by contrast, may pass after the server acted.
 */
export const neverReachedTemporal = (err: unknown) =>
  outageOf(err) === 'Temporal' &&
  [err, (err as { cause?: unknown })?.cause].some((e) => (e as { code?: unknown })?.code === 14);

const TYPE_BASE = 'https://gangway.dev/problems/';
const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function zodProblem(err: ZodError, where: 'body' | 'query' = 'body'): HttpProblem {
  const errors = err.issues.map((i) => ({ path: i.path.join('.') || where, message: i.message }));
  return badRequest(
    `The request ${where} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  );
}

export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(notFound(`${req.method} ${req.path} is not a route of this API`));

/**
 * Maps known errors to problem+json; an outage of PostgreSQL or Temporal is a 503 with Retry-After
 * (the request may be sent again as it is); anything unknown is a logged 500 that reveals nothing.
 */
export function problemHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (err instanceof ZodError) problem = zodProblem(err);
    else if (err?.type === 'entity.parse.failed')
      problem = badRequest('The body is not valid JSON', [{ path: 'body', message: 'malformed JSON' }]);
    else if (err?.type === 'entity.too.large')
      problem = new HttpProblem(413, 'Payload too large', 'The body is larger than this API accepts');
    else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500)
      problem = new HttpProblem(err.status, 'Bad request', 'The request could not be read');
    else if (outageOf(err)) {
      log.warn({ dependency: outageOf(err), method: req.method, path: req.route?.path ?? 'unmatched' }, 'outage');
      problem = unavailable(outageOf(err)!);
    } else {
      log.error(
        { err: { message: err?.message, stack: err?.stack }, method: req.method, path: req.route?.path ?? 'unmatched' },
        'unhandled error',
      );
      problem = new HttpProblem(500, 'Internal server error', 'Something went wrong on our side; it has been logged');
    }
    if (problem.status === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res
      .status(problem.status)
      .set(problem.headers)
      .type('application/problem+json')
      .json({
        type: `${TYPE_BASE}${slug(problem.title)}`,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        ...problem.extra,
        requestId: res.locals.requestId as string | undefined,
      });
  };
}
