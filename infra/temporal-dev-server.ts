import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import { processInfo, readJson, terminate } from './processes';
import { GANGWAY_SEARCH_ATTRIBUTES } from './temporal-cluster';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  uiPort?: number;
  /** The Web UI decodes payloads through this codec server (Temporal's remote codec protocol). */
  uiCodecEndpoint?: string;
  /** SQLite file that keeps workflows across restarts; omit for an in-memory server (tests). */
  dbFile?: string;
  /**
   * With dbFile: where the server's pid is recorded, so that the next start can find a server a
   * SIGKILLed run left behind (it holds the SQLite file) and stop it. Default `<dbFile>.pid`.
   */
  pidFile?: string;
  namespace?: string;
  log?: Pick<Logger, 'info' | 'warn'>;
  readyTimeoutMs?: number;
  /** With dbFile: SQLite pragmas (`--sqlite-pragma`), default FILE_PRAGMAS; [] keeps the CLI's own. */
  sqlitePragmas?: string[];
  /** More `start-dev` flags. */
  extraArgs?: string[];
}

/**
 * Every workflow task and activity is a SQLite commit. In the CLI's default rollback-journal mode
 * each commit fsyncs several times; write-ahead logging fsyncs once, and with synchronous left at
 * FULL a commit is as durable as before. It raised throughput by a third or more (BENCHMARKS.md).
 */
export const FILE_PRAGMAS = ['journal_mode=wal'];

/**
 * The CLI's dev server turns the server's search-attribute cache off (so that an attribute created while it
 * runs is seen at once): every validation of search attributes and every visibility write then reads the
 * cluster metadata from SQLite. Where every attribute is registered at start (`--search-attribute`), the
 * server's own default, the cache, is as correct and cheaper (docs/performance.md).
 */
export const SERVER_SEARCH_ATTRIBUTE_CACHE = [
  '--dynamic-config-value',
  'system.forceSearchAttributesCacheRefreshOnRead=false',
];

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  /** SIGTERM, SIGKILL after 10s; removes the pid file. Safe to call twice or after the server died. */
  stop(): Promise<void>;
}

/** What the pid file holds: the server and the process that started it. */
interface PidRecord {
  pid: number;
  ownerPid: number;
  dbFile: string;
  port: number;
}

const STOP_GRACE_MS = 10_000;

/**
 * Starts `temporal server start-dev` and resolves once its frontend answers gRPC.
 *
 * The server is a child process, which does not die with us on its own. Best effort:
 * - a normal exit, process.exit() or an uncaught exception emits 'exit': we SIGTERM the server then;
 * - Ctrl-C in a terminal signals the whole foreground process group, the server included;
 * - a signal the application does not handle, or SIGKILL, leaves it running (orphaned). With a
 *   dbFile, the next start reads the pid file, sees that the server's parent is no longer the
 *   process that started it, and stops it before starting its own. Without a dbFile (in-memory,
 *   tests) nothing is recorded: an orphan only holds a port and memory until it is killed.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const dbFile = options.dbFile ? path.resolve(options.dbFile) : undefined;
  const pidFile = dbFile ? path.resolve(options.pidFile ?? `${dbFile}.pid`) : undefined;
  if (dbFile && pidFile) {
    await mkdir(path.dirname(dbFile), { recursive: true });
    await takeOverPrevious(pidFile, dbFile, options.log);
  }

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  args.push('--namespace', options.namespace ?? 'default');
  // Every onboarding carries these from its start (docs/contract.md); an unknown one would fail the start.
  for (const [name, type] of Object.entries(GANGWAY_SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  if (dbFile)
    args.push(
      '--db-filename',
      dbFile,
      ...(options.sqlitePragmas ?? FILE_PRAGMAS).flatMap((p) => ['--sqlite-pragma', p]),
    );
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  else args.push('--headless');
  args.push(...(options.extraArgs ?? []));

  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  // A missing or non-executable cliPath is reported as an 'error' event; unhandled, it would crash us.
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });
  let stopping = false;
  let ready = false;
  let exitStatus: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitStatus = signal ? `signal ${signal}` : `code ${code}`;
      if (!stopping && ready)
        options.log?.warn({ address, exit: exitStatus, stderr }, 'temporal dev server exited unexpectedly');
      resolve();
    }),
  );

  const killOnExit = () => {
    child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      process.removeListener('exit', killOnExit);
      if (child.pid !== undefined && exitStatus === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      if (pidFile) {
        const record = await readJson<PidRecord>(pidFile);
        if (record?.pid === child.pid) await rm(pidFile, { force: true });
      }
    })());

  if (pidFile && child.pid !== undefined) {
    // Written at once: were we SIGKILLed while waiting below, the next start still finds the server.
    const record: PidRecord = { pid: child.pid, ownerPid: process.pid, dbFile: dbFile!, port: options.port };
    await writeFile(pidFile, JSON.stringify(record));
  }

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`cannot run the Temporal CLI ${options.cliPath}: ${spawnError.message}`);
    }
    if (exitStatus !== undefined) {
      await stop();
      throw new Error(`temporal dev server exited with ${exitStatus}: ${stderr.trim()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
      } finally {
        await connection.close();
      }
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `temporal dev server did not become ready on ${address}: ${(err as Error).message}; ${stderr.trim()}`,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  ready = true;
  options.log?.info({ address, dbFile }, 'temporal dev server ready');
  return { address, uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined, process: child, stop };
}

/**
 * A server recorded in the pid file that still runs on the same database file is either in use
 * (its parent is still the process that started it: refuse) or an orphan of a run that was
 * SIGKILLed (its parent changed when the owner died: stop it, so the SQLite file is free).
 * Checking the command line guards against a pid reused by an unrelated process.
 */
async function takeOverPrevious(pidFile: string, dbFile: string, log: DevServerOptions['log']): Promise<void> {
  const record = await readJson<PidRecord>(pidFile);
  if (!record) return;
  const info = await processInfo(record.pid);
  if (info && info.command.includes('start-dev') && info.command.includes(dbFile)) {
    if (info.ppid === record.ownerPid) {
      const who = record.ownerPid === process.pid ? 'this process' : `process ${record.ownerPid}`;
      throw new Error(
        `a temporal dev server (pid ${record.pid}) started by ${who} is still using ${dbFile}; stop it first`,
      );
    }
    log?.warn({ serverPid: record.pid, dbFile }, 'stopping a temporal dev server left running by a previous run');
    if (!(await terminate(record.pid, { signal: 'SIGTERM', graceMs: STOP_GRACE_MS }))) {
      throw new Error(`could not stop the orphaned temporal dev server (pid ${record.pid}) using ${dbFile}`);
    }
  }
  await rm(pidFile, { force: true });
}
