import { hashPassword } from '../lib/passwords';
import { isUniqueViolation } from './errors';
import type { Queryable } from './queryable';

export type Role = 'staff' | 'approver' | 'admin';
export type ApproverKind = 'AM' | 'TECH_AM';
export interface UserRow {
  id: string;
  email: string;
  role: Role;
  approver_kind: ApproverKind | null;
  password_hash: string;
}

export class DuplicateUserError extends Error {}

export async function createUser(
  db: Queryable,
  user: { email: string; role: Role; approverKind?: ApproverKind; password: string },
): Promise<{ id: string }> {
  try {
    const { rows } = await db.query<{ id: string }>(
      'INSERT INTO users (email, role, approver_kind, password_hash) VALUES ($1, $2, $3, $4) RETURNING id',
      [user.email.trim(), user.role, user.approverKind ?? null, await hashPassword(user.password)],
    );
    return rows[0];
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateUserError(`a user with email ${user.email} exists already`);
    throw err;
  }
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    'SELECT id, email, role, approver_kind, password_hash FROM users WHERE lower(email) = lower($1)',
    [email.trim()],
  );
  return rows[0];
}

/** The technical account manager registered first: the TECH_AM stage's approver unless TECH_AM_EMAIL names one. */
export async function findFirstTechAm(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query<{ email: string }>(
    "SELECT email FROM users WHERE approver_kind = 'TECH_AM' AND role IN ('approver', 'admin') ORDER BY created_at, id LIMIT 1",
  );
  return rows[0]?.email;
}
