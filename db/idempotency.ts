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

export async function storeResponse(db: Queryable, userId: string, key: string, stored: StoredResponse): Promise<void> {
  await db.query(
    `INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id, key) DO NOTHING`,
    [userId, key, stored.requestHash, stored.statusCode, JSON.stringify(stored.response)],
  );
}
