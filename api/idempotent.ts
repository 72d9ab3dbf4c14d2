import { createHash } from 'node:crypto';
import { findStoredResponse, storeResponse } from '../db/idempotency';
import type { Caller } from './auth';
import type { ApiDeps } from './deps';
import { HttpProblem } from './problem';
import type { ServerTiming } from './server-timing';

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * Runs a write once per Idempotency-Key: a repeat with the same route and body gets the first answer, a
 * key reused for something else is 422. Answers that hold a secret are stored sealed to the caller and key.
 * Without a key the write runs as it is (each write also guards itself by its own natural key).
 */
export async function idempotent(
  deps: ApiDeps,
  request: {
    caller: Caller;
    key?: string;
    route: string;
    body: unknown;
    sealed?: boolean;
    /** Gets an `idempotency` phase for the answer's storing. */
    timing?: ServerTiming;
  },
  write: () => Promise<Answer>,
): Promise<Answer> {
  const { caller, key } = request;
  if (!key) return write();
  const requestHash = createHash('sha256')
    .update(JSON.stringify([request.route, request.body ?? null]))
    .digest('hex');
  const sealContext = `idempotency:${caller.id}:${key}`;
  const stored = await findStoredResponse(deps.pool, caller.id, key);
  if (stored) {
    if (stored.requestHash !== requestHash)
      throw new HttpProblem(
        422,
        'Idempotency key reused',
        'This Idempotency-Key was used with a different request (another route or body)',
      );
    const response = stored.response as { sealed?: string; plain?: unknown };
    const body = response.sealed ? JSON.parse(deps.secrets.open(response.sealed, sealContext)) : response.plain;
    return { status: stored.statusCode, body };
  }
  const answer = await write();
  await storeResponse(deps.pool, caller.id, key, {
    requestHash,
    statusCode: answer.status,
    response: request.sealed
      ? { sealed: deps.secrets.seal(JSON.stringify(answer.body), sealContext) }
      : { plain: answer.body },
  });
  request.timing?.lap('idempotency');
  return answer;
}
