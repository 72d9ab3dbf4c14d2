import type { Queryable } from './queryable';

/** Stored answers for POST retries carrying the same Idempotency-Key. */
export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

export async function findStoredResponse(
  db: Queryable,
  userId: string,
  key: string,
): Promise<StoredResponse | undefined> {
  const { rows } = await db.query<{ request_hash: string; status_code: number; response: unknown }>(
    'SELECT request_hash, status_code, response FROM idempotency_keys WHERE user_id = $1 AND key = $2',
    [userId, key],
  );
  return rows[0] && { requestHash: rows[0].request_hash, statusCode: rows[0].status_code, response: rows[0].response };
}

/**
 * A pending answer (api/idempotent.ts, UnsettledWrite) made final once its write is known to have happened;
 * a final one is left as it is.
 */
export async function settleStoredResponse(db: Queryable, userId: string, key: string): Promise<void> {
  await db.query(
    `UPDATE idempotency_keys SET response = response - 'pending' WHERE user_id = $1 AND key = $2 AND response ? 'pending'`,
    [userId, key],
  );
}

/** A pending answer whose write is known not to have happened, so that a repeat writes again; never a final one. */
export async function deleteStoredPendingResponse(db: Queryable, userId: string, key: string): Promise<void> {
  await db.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND response ? 'pending'`, [
    userId,
    key,
  ]);
}

export async function storeResponse(db: Queryable, userId: string, key: string, stored: StoredResponse): Promise<void> {
  await db.query(
    `INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id, key) DO NOTHING`,
    [userId, key, stored.requestHash, stored.statusCode, JSON.stringify(stored.response)],
  );
}
