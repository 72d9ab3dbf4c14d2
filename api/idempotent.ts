import { createHash } from 'node:crypto';
import {
  deleteStoredPendingResponse,
  findStoredResponse,
  settleStoredResponse,
  storeResponse,
} from '../db/idempotency';
import type { Caller } from './auth';
import type { ApiDeps } from './deps';
import { HttpProblem } from './problem';
import type { ServerTiming } from './server-timing';

export interface Answer {
  status: number;
  body: unknown;
}

/**
 * Thrown by a write that cannot tell whether it happened (a start whose answer Temporal lost while Temporal
 * could not be asked either): the caller gets `failure`, and the answer the write would give is kept under the
 * Idempotency-Key as pending, for a repeat to settle (`settle`) instead of guessing.
 */
export class UnsettledWrite extends Error {
  constructor(
    readonly answer: Answer,
    readonly failure: unknown,
  ) {
    super('the write may or may not have happened');
  }
}

/** What a pending answer's write turned out to be: made (the answer stands), not made (write again), or still unknown. */
export type Settled = 'made' | 'not made' | 'unknown';

/**
 * Runs a write once per Idempotency-Key: a repeat with the same route and body gets the first answer, a
 * key reused for something else is 422. Answers that hold a secret are stored sealed to the caller and key.
 * Without a key the write runs as it is (each write also guards itself by its own natural key). A write that
 * throws UnsettledWrite leaves its answer pending, and a repeat asks `settle` what became of it.
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
    /** Whether the write of a pending answer happened; needed by writes that throw UnsettledWrite. */
    settle?: (answer: Answer) => Promise<Settled>;
  },
  write: () => Promise<Answer>,
): Promise<Answer> {
  const { caller, key } = request;
  if (!key)
    return write().catch((err: unknown) => {
      throw err instanceof UnsettledWrite ? err.failure : err;
    });
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
    const response = stored.response as { sealed?: string; plain?: unknown; pending?: true };
    const body = response.sealed ? JSON.parse(deps.secrets.open(response.sealed, sealContext)) : response.plain;
    const answer = { status: stored.statusCode, body };
    if (!response.pending) return answer;
    const settled = request.settle ? await request.settle(answer) : 'unknown';
    if (settled === 'unknown')
      throw new HttpProblem(
        503,
        'Not settled yet',
        'Whether the first attempt with this Idempotency-Key happened cannot be told yet; send it again later with the same key',
        {},
        { 'Retry-After': '5' },
      );
    if (settled === 'made') {
      await settleStoredResponse(deps.pool, caller.id, key);
      return answer;
    }
    await deleteStoredPendingResponse(deps.pool, caller.id, key);
  }
  const store = (answer: Answer, pending?: true) =>
    storeResponse(deps.pool, caller.id, key, {
      requestHash,
      statusCode: answer.status,
      response: {
        ...(request.sealed
          ? { sealed: deps.secrets.seal(JSON.stringify(answer.body), sealContext) }
          : { plain: answer.body }),
        ...(pending ? { pending } : {}),
      },
    });
  let answer: Answer;
  try {
    answer = await write();
  } catch (err) {
    if (!(err instanceof UnsettledWrite)) throw err;
    await store(err.answer, true);
    throw err.failure;
  }
  await store(answer);
  request.timing?.lap('idempotency');
  return answer;
}
