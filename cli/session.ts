import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GangwayApi, send, type Auth, type Problem } from './gangway-api';
import { CliError, type Context } from './context';

/** What `gangway login` keeps: the token pair for one user on one API. Mode 0600; never printed. */
export interface Session {
  apiUrl: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
}

export const sessionPath = (ctx: Context) => path.join(ctx.dataDir, 'cli-session.json');

async function readSession(ctx: Context): Promise<Session | undefined> {
  let text: string;
  try {
    text = await readFile(sessionPath(ctx), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read the session file ${sessionPath(ctx)}: ${(err as Error).message}`);
  }
  try {
    const s = JSON.parse(text) as Partial<Session>;
    if (
      typeof s.apiUrl === 'string' &&
      typeof s.email === 'string' &&
      typeof s.accessToken === 'string' &&
      typeof s.refreshToken === 'string'
    ) {
      return {
        apiUrl: s.apiUrl,
        email: s.email,
        accessToken: s.accessToken,
        refreshToken: s.refreshToken,
        expiresAt: String(s.expiresAt ?? ''),
      };
    }
  } catch {
    /* unreadable: treated as no session */
  }
  return undefined;
}

/** Written to a private temporary file and renamed over the old one, so no reader sees half a file. */
export async function writeSession(ctx: Context, session: Session): Promise<void> {
  const file = sessionPath(ctx);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600); // whatever the umask
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new CliError(`cannot write the session file ${file}: ${(err as Error).message}`);
  }
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export function sessionFrom(apiUrl: string, email: string, pair: TokenPair): Session {
  return {
    apiUrl,
    email,
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: new Date(Date.now() + pair.expiresIn * 1000).toISOString(),
  };
}

const loginHint = (apiUrl: string | undefined, email = 'E') =>
  `log in with: gangway login --email ${email} --password-stdin${apiUrl ? ` --api ${apiUrl}` : ''}`;

/**
 * The API as the current user: GANGWAY_TOKEN when set (never refreshed), else the stored session,
 * whose access token is refreshed once on a 401. A session is only ever sent to the API it came from.
 */
export async function authenticatedApi(ctx: Context, apiUrl: string): Promise<GangwayApi> {
  const envToken = ctx.io.env.GANGWAY_TOKEN;
  if (envToken) {
    return new GangwayApi(apiUrl, {
      accessToken: () => envToken,
      renew: async () => false,
      refused: (p: Problem) =>
        new CliError(`the API refused the token in GANGWAY_TOKEN: ${p.detail ?? p.title ?? 'unauthorized'}`, [
          `set a fresh token, or unset GANGWAY_TOKEN and ${loginHint(apiUrl)}`,
        ]),
    });
  }

  let session = await readSession(ctx);
  if (!session) throw new CliError(`not logged in (no session in ${sessionPath(ctx)})`, [loginHint(apiUrl)]);
  if (session.apiUrl !== apiUrl) {
    throw new CliError(`the stored session is for ${session.apiUrl}, not ${apiUrl}`, [
      loginHint(apiUrl, session.email),
    ]);
  }
  const auth: Auth = {
    accessToken: () => session!.accessToken,
    async renew() {
      const current = session!;
      const res = await send(apiUrl, 'POST', '/v1/token/refresh', { body: { refreshToken: current.refreshToken } });
      if (res.status === 200) {
        session = sessionFrom(apiUrl, current.email, res.body as TokenPair);
        await writeSession(ctx, session);
        return true;
      }
      // Another gangway process may have spent the refresh token a moment ago and stored the new pair.
      const stored = await readSession(ctx);
      if (stored && stored.apiUrl === apiUrl && stored.refreshToken !== current.refreshToken) {
        session = stored;
        return true;
      }
      return false;
    },
    refused: () =>
      new CliError(`the session of ${session!.email} has expired or was revoked`, [loginHint(apiUrl, session!.email)]),
  };
  return new GangwayApi(apiUrl, auth);
}
