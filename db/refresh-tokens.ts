import type { Role } from './users';
import type { Queryable } from './queryable';

/** Opaque refresh tokens, stored only as keyed hashes; a used token is spent (rotation). */

export async function insertRefreshToken(
  db: Queryable,
  token: { tokenHash: string; userId: string; expiresAt: Date },
): Promise<void> {
  await db.query('INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
    token.tokenHash,
    token.userId,
    token.expiresAt,
  ]);
}

/** Spends an unused, unexpired token in one statement (a second use finds nothing) and answers its user. */
export async function spendRefreshToken(
  db: Queryable,
  tokenHash: string,
): Promise<{ id: string; email: string; role: Role } | undefined> {
  const { rows } = await db.query<{ id: string; email: string; role: Role }>(
    `UPDATE refresh_tokens r SET used_at = now() FROM users u
     WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.id = r.user_id
     RETURNING u.id, u.email, u.role`,
    [tokenHash],
  );
  return rows[0];
}
