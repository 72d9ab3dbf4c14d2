import { z } from 'zod';
import { createPool } from '../../db/pool';
import { createUser, DuplicateUserError, type ApproverKind, type Role } from '../../db/users';
import { createLogger } from '../../lib/logger';
import { passwordProblem } from '../../lib/passwords';
import { CliError, EXIT, type Context } from '../context';
import { describeDatabaseUrl, resolveDatabaseUrl } from '../runtime-file';

export interface UsersAddOptions {
  email: string;
  role: Role;
  approverKind?: ApproverKind;
  firstName?: string;
  lastName?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

/** The longest password `POST /v1/login` accepts: a longer one could never be used. */
const MAX_PASSWORD = 1024;
/** As the users table's check allows. */
const MAX_NAME = 100;

/** Creates a user straight in PostgreSQL (there is no API for it) and prints the new id alone on stdout. */
export async function usersAdd(ctx: Context, options: UsersAddOptions): Promise<number> {
  if (!z.email().safeParse(options.email.trim()).success) throw new CliError(`not an email address: ${options.email}`);
  if (options.approverKind && options.role === 'staff')
    throw new CliError('--approver-kind applies to approvers and admins, not staff');
  for (const [flag, name] of [
    ['--first-name', options.firstName],
    ['--last-name', options.lastName],
  ] as const) {
    if (name !== undefined && (name.trim().length === 0 || name.trim().length > MAX_NAME))
      throw new CliError(`${flag} takes 1 to ${MAX_NAME} characters`);
  }
  if (!options.passwordStdin) {
    throw new CliError('the password is read from standard input: pass --password-stdin', [
      `e.g. printf '%s' "$PASSWORD" | gangway users add --email ${options.email} --role ${options.role} --password-stdin`,
    ]);
  }
  const password = await ctx.readSecretFromStdin('password');
  if (password.length > MAX_PASSWORD) throw new CliError(`the password is longer than ${MAX_PASSWORD} characters`);
  const weak = passwordProblem(password);
  if (weak) throw new CliError(`the password is refused: ${weak}`);

  const databaseUrl = await resolveDatabaseUrl(ctx);
  const where = describeDatabaseUrl(databaseUrl);
  const pool = createPool(databaseUrl, createLogger({ level: 'silent' }), { max: 1 });
  try {
    const { id } = await createUser(pool, {
      email: options.email.trim(),
      role: options.role,
      approverKind: options.approverKind,
      password,
      firstName: options.firstName,
      lastName: options.lastName,
    });
    ctx.out(options.json ? JSON.stringify({ id, email: options.email.trim(), role: options.role }) : id);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof DuplicateUserError) throw new CliError(err.message);
    throw databaseProblem(err, where);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

export function databaseProblem(err: unknown, where: string): CliError {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case '42P01':
      return new CliError(`the users table does not exist in ${where}: the schema has not been migrated`, [
        '`npm start` applies the migrations; run it once against this database',
      ]);
    case '3D000':
      return new CliError(`the database ${where} does not exist`);
    case '28P01':
    case '28000':
      return new CliError(`PostgreSQL at ${where} refused the credentials in the database URL`);
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return new CliError(`cannot connect to PostgreSQL at ${where} (${e.code})`, [
        'is the stack running (`npm start`), or is DATABASE_URL right?',
      ]);
    default:
      return new CliError(`PostgreSQL at ${where} failed: ${e.message ?? String(err)}`);
  }
}
