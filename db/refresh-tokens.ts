import type { Role } from '../domain';
import type { Queryable } from './queryable';

/**
 * Opaque refresh tokens, stored only as keyed hashes, in families: a login starts one, each refresh spends
 * its token and adds the next to the same family. Reusing a spent token revokes the whole family (the
 * token was stolen, or replayed); logout revokes it; it ends at family_started_at + the session lifetime.
 */

export async function insertRefreshToken(
  db: Queryable,
  token: { tokenHash: string; userId: string; expiresAt: Date; familyId?: string; familyStartedAt?: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id, family_started_at)
     VALUES ($1, $2, $3, COALESCE($4::uuid, gen_random_uuid()), COALESCE($5::timestamptz, now()))`,
    [token.tokenHash, token.userId, token.expiresAt, token.familyId ?? null, token.familyStartedAt ?? null],
  );
}

export type SpentRefreshToken =
  | { outcome: 'spent'; user: { id: string; email: string; role: Role }; familyId: string; familyStartedAt: Date }
  | { outcome: 'reused'; userId: string }
  | { outcome: 'refused' };

/**
 * Spends a token inside the caller's transaction (its row locked, so two racing refreshes cannot both
 * spend it). A spent token presented again revokes its family.
 */
export async function spendRefreshToken(
  db: Queryable,
  tokenHash: string,
  maxLifetimeMs: number,
): Promise<SpentRefreshToken> {
  const { rows } = await db.query<{
    user_id: string;
    email: string;
    role: Role;
    family_id: string;
    family_started_at: Date;
    used: boolean;
    usable: boolean;
  }>(
    `SELECT r.user_id, u.email, u.role, r.family_id, r.family_started_at, r.used_at IS NOT NULL AS used,
            (r.revoked_at IS NULL AND r.expires_at > now() AND u.disabled_at IS NULL
             AND r.family_started_at + $2 * interval '1 millisecond' > now()) AS usable
     FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1 FOR UPDATE OF r`,
    [tokenHash, maxLifetimeMs],
  );
  const row = rows[0];
  if (!row) return { outcome: 'refused' };
  if (row.used) {
    await revokeFamily(db, row.family_id);
    return { outcome: 'reused', userId: row.user_id };
  }
  if (!row.usable) return { outcome: 'refused' };
  await db.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [tokenHash]);
  return {
    outcome: 'spent',
    user: { id: row.user_id, email: row.email, role: row.role },
    familyId: row.family_id,
    familyStartedAt: row.family_started_at,
  };
}

async function revokeFamily(db: Queryable, familyId: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
    familyId,
  ]);
}

/** Logout: the family of this token stops working. Answers its user, when the token was known. */
export async function revokeFamilyOf(db: Queryable, tokenHash: string): Promise<string | undefined> {
  const { rows } = await db.query<{ user_id: string }>(
    `UPDATE refresh_tokens SET revoked_at = COALESCE(revoked_at, now())
     WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) RETURNING user_id`,
    [tokenHash],
  );
  return rows[0]?.user_id;
}

/** Every session of a user ends (the user was disabled). */
export async function revokeUserRefreshTokens(db: Queryable, userId: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
}
