import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError, type Context } from './context';

/** What `npm start` writes to `$GANGWAY_DATA_DIR/runtime.json` so that tools find the running stack. */
export interface RuntimeFile {
  databaseUrl?: string;
  apiUrl?: string;
}

const runtimeFilePath = (ctx: Context) => path.join(ctx.dataDir, 'runtime.json');

/** The runtime file, or undefined when there is none (the stack was never started from here). */
async function readRuntimeFile(ctx: Context): Promise<RuntimeFile | undefined> {
  const file = runtimeFilePath(ctx);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON`, ['it is rewritten by the next `npm start`']);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new CliError(`${file} does not hold a JSON object`);
  const { databaseUrl, apiUrl } = parsed as Record<string, unknown>;
  return {
    databaseUrl: typeof databaseUrl === 'string' && databaseUrl ? databaseUrl : undefined,
    apiUrl: typeof apiUrl === 'string' && apiUrl ? apiUrl : undefined,
  };
}

const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** `--api`, else GANGWAY_API_URL, else the runtime file's apiUrl, else the default port on loopback. */
export async function resolveApiUrl(ctx: Context, option: string | undefined): Promise<string> {
  const [raw, from] = option
    ? [option, '--api']
    : ctx.io.env.GANGWAY_API_URL
      ? [ctx.io.env.GANGWAY_API_URL, 'GANGWAY_API_URL']
      : await readRuntimeFile(ctx).then((r) =>
          r?.apiUrl ? [r.apiUrl, runtimeFilePath(ctx)] : [DEFAULT_API_URL, 'the default'],
        );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`the API URL from ${from} is not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`the API URL from ${from} must be http or https: ${raw}`);
  if (url.username || url.password) throw new CliError(`the API URL from ${from} must not carry credentials`);
  return url.toString().replace(/\/+$/, '');
}

/** DATABASE_URL, else the runtime file's databaseUrl. */
export async function resolveDatabaseUrl(ctx: Context): Promise<string> {
  if (ctx.io.env.DATABASE_URL) return ctx.io.env.DATABASE_URL;
  const runtime = await readRuntimeFile(ctx);
  if (runtime?.databaseUrl) return runtime.databaseUrl;
  throw new CliError('no database to use: DATABASE_URL is not set and there is no runtime file with a databaseUrl', [
    `start the stack with \`npm start\` (it writes ${runtimeFilePath(ctx)}), set GANGWAY_DATA_DIR to where it runs, or set DATABASE_URL`,
  ]);
}

/** A database URL fit to print: host, port and database, never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname || ''}`;
  } catch {
    return 'the configured database';
  }
}
