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

/** Maps known errors to problem+json; anything unknown is a logged 500 that reveals nothing. */
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
    else {
      log.error(
        { err: { message: err?.message, stack: err?.stack }, method: req.method, path: req.route?.path ?? 'unmatched' },
        'unhandled error',
      );
      problem = new HttpProblem(500, 'Internal server error', 'Something went wrong on our side; it has been logged');
    }
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
      });
  };
}
