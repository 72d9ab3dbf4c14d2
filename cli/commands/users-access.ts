import { createPool } from '../../db/pool';
import { changeUserAccess, listUsers } from '../../db/users';
import { createLogger } from '../../lib/logger';
import { CliError, EXIT, type Context } from '../context';
import { describeDatabaseUrl, resolveDatabaseUrl } from '../runtime-file';
import { databaseProblem } from './users-add';

/**
 * `gangway users list|disable|enable`: straight in PostgreSQL like `users add`, so an operator can lock out
 * a stolen admin account even when no other admin can log in. Disabling ends the user's sessions at once.
 */
async function withUsersDatabase<T>(ctx: Context, fn: (pool: ReturnType<typeof createPool>) => Promise<T>) {
  const databaseUrl = await resolveDatabaseUrl(ctx);
  const pool = createPool(databaseUrl, createLogger({ level: 'silent' }), { max: 1 });
  try {
    return await fn(pool);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw databaseProblem(err, describeDatabaseUrl(databaseUrl));
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** The name a person goes by, when they have one: added last so the columns before it stay where they were. */
const fullName = (u: { firstName: string | null; lastName: string | null }) =>
  [u.firstName, u.lastName].filter(Boolean).join(' ');

export async function usersList(ctx: Context, options: { json?: boolean }): Promise<number> {
  const users = await withUsersDatabase(ctx, listUsers);
  if (options.json) ctx.out(JSON.stringify(users));
  else
    for (const u of users)
      ctx.out(
        `${u.email}\t${u.role}${u.approverKind ? `/${u.approverKind}` : ''}\t${u.disabledAt ? `disabled ${u.disabledAt}` : 'active'}${fullName(u) ? `\t${fullName(u)}` : ''}`,
      );
  return EXIT.ok;
}

export async function usersSetAccess(
  ctx: Context,
  options: { email: string; json?: boolean },
  disable: boolean,
): Promise<number> {
  const user = await withUsersDatabase(ctx, (pool) =>
    changeUserAccess(pool, { email: options.email }, { disable, actor: 'cli' }),
  );
  if (!user) throw new CliError(`no user with email ${options.email}`);
  ctx.out(options.json ? JSON.stringify(user) : `${user.email} ${user.disabledAt ? 'disabled' : 'enabled'}`);
  return EXIT.ok;
}
