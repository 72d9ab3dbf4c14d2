import { ApiError, problemOf, send } from '../gangway-api';
import { CliError, EXIT, type Context } from '../context';
import { resolveApiUrl } from '../runtime-file';
import { sessionFrom, sessionPath, writeSession, type TokenPair } from '../session';

export interface LoginOptions {
  email: string;
  passwordStdin?: boolean;
  json?: boolean;
  api?: string;
}

/** Exchanges email and password for a token pair and keeps it in the session file; prints neither. */
export async function login(ctx: Context, options: LoginOptions): Promise<number> {
  if (!options.passwordStdin) {
    throw new CliError('the password is read from standard input: pass --password-stdin', [
      `e.g. printf '%s' "$PASSWORD" | gangway login --email ${options.email} --password-stdin`,
    ]);
  }
  const password = await ctx.readSecretFromStdin('password');
  const apiUrl = await resolveApiUrl(ctx, options.api);
  const res = await send(apiUrl, 'POST', '/v1/login', { body: { email: options.email.trim(), password } });
  if (res.status !== 200) throw new ApiError(res.status, problemOf(res));
  await writeSession(ctx, sessionFrom(apiUrl, options.email.trim(), res.body as TokenPair));
  const email = options.email.trim();
  if (options.json) ctx.out(JSON.stringify({ apiUrl, email, sessionFile: sessionPath(ctx) }));
  else ctx.out(`Logged in to ${apiUrl} as ${email}; the session is kept in ${sessionPath(ctx)}.`);
  return EXIT.ok;
}
