import type { Pool } from 'pg';
import { hashNewPassword } from '../lib/passwords';
import { revokeUserRefreshTokens } from './refresh-tokens';
import { insertSecurityEvent } from './security-events';
import { withTransaction } from './transaction';
import { isUniqueViolation } from './errors';
import { prepared } from './prepared';
import type { Queryable } from './queryable';
import type { ApproverKind, Role } from '../domain';

/** The people's roles belong to the domain; re-exported for the callers that create users. */
export type { ApproverKind, Role };
export interface UserRow {
  id: string;
  email: string;
  role: Role;
  approver_kind: ApproverKind | null;
  password_hash: string;
  disabled_at: Date | null;
  first_name: string | null;
  last_name: string | null;
}

export class DuplicateUserError extends Error {}

export async function createUser(
  db: Queryable,
  user: {
    email: string;
    role: Role;
    approverKind?: ApproverKind;
    password: string;
    /** Optional: people registered before names existed have none (TecCom shows them when one is found by email). */
    firstName?: string;
    lastName?: string;
  },
): Promise<{ id: string }> {
  try {
    const { rows } = await db.query<{ id: string }>(
      'INSERT INTO users (email, role, approver_kind, password_hash, first_name, last_name) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [
        user.email.trim(),
        user.role,
        user.approverKind ?? null,
        await hashNewPassword(user.password),
        user.firstName?.trim() || null,
        user.lastName?.trim() || null,
      ],
    );
    return rows[0];
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateUserError(`a user with email ${user.email} exists already`);
    throw err;
  }
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    'SELECT id, email, role, approver_kind, password_hash, disabled_at, first_name, last_name FROM users WHERE lower(email) = lower($1)',
    [email.trim()],
  );
  return rows[0];
}

/** The SELECT of the first TECH_AM's email; the start rules' one lookup reads it too (db/start-lookups.ts). */
export const FIRST_TECH_AM =
  "SELECT email FROM users WHERE approver_kind = 'TECH_AM' AND role IN ('approver', 'admin') ORDER BY created_at, id LIMIT 1";

/** The technical account manager registered first: the TECH_AM stage's approver unless TECH_AM_EMAIL names one. */
export async function findFirstTechAm(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query<{ email: string }>(FIRST_TECH_AM);
  return rows[0]?.email;
}

export interface UserListItem {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  approverKind: ApproverKind | null;
  disabledAt: string | null;
  createdAt: string;
}

export async function listUsers(db: Queryable): Promise<UserListItem[]> {
  const { rows } = await db.query<{
    id: string;
    email: string;
    first_name: string | null;
    last_name: string | null;
    role: Role;
    approver_kind: ApproverKind | null;
    disabled_at: Date | null;
    created_at: Date;
  }>(
    'SELECT id, email, first_name, last_name, role, approver_kind, disabled_at, created_at FROM users ORDER BY created_at, email',
  );
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role,
    approverKind: r.approver_kind,
    disabledAt: r.disabled_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  }));
}

/** Disables (at a time) or enables (null) a user by id or email; answers the user, or undefined if unknown. */
export async function setUserDisabled(
  db: Queryable,
  who: { id: string } | { email: string },
  disabledAt: Date | null,
): Promise<UserListItem | undefined> {
  const byId = 'id' in who;
  const { rows } = await db.query<{ id: string }>(
    `UPDATE users SET disabled_at = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE COALESCE(disabled_at, $2) END
     WHERE ${byId ? 'id = $1::uuid' : 'lower(email) = lower($1)'} RETURNING id`,
    [byId ? who.id : who.email.trim(), disabledAt],
  );
  if (!rows[0]) return undefined;
  return (await listUsers(db)).find((u) => u.id === rows[0].id);
}

/** Whether a user exists and is not disabled: checked on every authenticated request. */
export async function isUserActive(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query(prepared('SELECT 1 FROM users WHERE id = $1::uuid AND disabled_at IS NULL', [id]));
  return rows.length > 0;
}

/**
 * Disables or enables a user in one transaction with its consequences: a disabled user's refresh tokens are
 * revoked at once, and the change is a security event naming who made it. Used by the API and the CLI.
 */
export async function changeUserAccess(
  pool: Pool,
  who: { id: string } | { email: string },
  change: { disable: boolean; actor: string },
): Promise<UserListItem | undefined> {
  return withTransaction(pool, async (tx) => {
    const user = await setUserDisabled(tx, who, change.disable ? new Date() : null);
    if (!user) return undefined;
    if (change.disable) await revokeUserRefreshTokens(tx, user.id);
    await insertSecurityEvent(tx, {
      event: change.disable ? 'user_disabled' : 'user_enabled',
      actor: change.actor,
      subject: user.email,
    });
    return user;
  });
}
