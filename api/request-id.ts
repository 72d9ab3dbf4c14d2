import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { withLogContext } from '../lib/log-context';

/** An incoming id is kept if it could not smuggle anything into a log line or a header. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives each request an id: the caller's `X-Request-Id` when well formed, else a new UUID. It is sent
 * back in `X-Request-Id`, carried by every log line written while the request is served, and named in
 * problem+json answers (`requestId`), so that a caller's report leads to the lines.
 */
export const requestIds: RequestHandler = (req, res, next) => {
  const incoming = req.get('x-request-id');
  const id = incoming && WELL_FORMED.test(incoming) ? incoming : randomUUID();
  res.locals.requestId = id;
  res.set('X-Request-Id', id);
  withLogContext({ requestId: id }, () => next());
};

export const requestIdOf = (res: Response): string | undefined => res.locals.requestId as string | undefined;
