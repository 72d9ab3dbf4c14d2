import { badRequest } from './problem';
import { UUID } from './ids';

/** Where a page ended: its last row's created_at in microseconds since the epoch (db/keyset.ts) and its id. */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

const MICROSECONDS = /^\d{1,17}$/;

export const encodeCursor = (position: KeysetPosition): string =>
  Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');

/**
 * A cursor from an earlier page. Onboardings' cursors once held an ISO time with milliseconds; one still in
 * a caller's hands goes on from that millisecond, as it did.
 */
export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw new Error('bad cursor');
    if (MICROSECONDS.test(at)) return { createdAt: at, id };
    const ms = Date.parse(at);
    if (!/^\d{4}-\d\d-\d\dT/.test(at) || Number.isNaN(ms) || ms < 0) throw new Error('bad cursor');
    return { createdAt: String(ms * 1000), id };
  } catch {
    throw badRequest('Invalid cursor', [{ path: 'cursor', message: 'use the nextCursor of a previous page' }]);
  }
}
