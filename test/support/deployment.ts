import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../../infra/free-port';
import { startMailSink } from '../../infra/mail-sink';
import { createTestDatabase } from './database';
import { productHttp } from './product-http';
import { BUNDLE_ENV } from './workflow-bundle';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'test', 'fixtures', 'gangway-cli.ts');

export interface GangwayProcess {
  role: 'api' | 'worker';
  /** The API's base URL, or the worker's probes. */
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Runs one `gangway …` command as its own OS process, from the sources, with exactly this environment. */
export function runGangway(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; exited: GangwayProcess['exited']; output(): string } {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'scripts', 'register-ts.js'), CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

/** Polls a readiness endpoint until it answers 200; fails early if the process exits. */
export async function waitUntilReady(
  url: string,
  proc: Pick<GangwayProcess, 'exited' | 'output'>,
  timeoutMs = 60_000,
): Promise<void> {
  let exited: unknown;
  void proc.exited.then((status) => (exited = status));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`process exited ${JSON.stringify(exited)} before it was ready: ${proc.output()}`);
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms: ${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The production topology in miniature: `gangway migrate`, then N API and M worker processes, each
 * a separate OS process started with the real entry points and configured only by the environment,
 * sharing one database, one SMTP sink and one task queue.
 */
export async function startDeployment(options: { apis: number; workers: number; env?: Record<string, string> }) {
  const db = await createTestDatabase();
  const mail = await startMailSink();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    SMTP_URL: mail.url,
    GANGWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '',
    TEMPORAL_TASK_QUEUE: `deploy-${randomBytes(4).toString('hex')}`,
    GANGWAY_WORKFLOW_BUNDLE: process.env[BUNDLE_ENV] ?? '',
    LOG_LEVEL: 'warn',
    // Several processes share the test server's 100 connections with a Temporal cluster's own.
    DATABASE_POOL_MAX: '6',
    CONNECTIVITY_RETRY_INITIAL: '100ms',
    CONNECTIVITY_RETRY_MAX: '500ms',
    WEBHOOK_RETRY_INITIAL: '100ms',
    EGRESS_ALLOWED_HOSTS: '127.0.0.1,localhost',
    // Every request of a test comes from 127.0.0.1 and most from one staff user: the per-address and per-user
    // limits are for the real world (test/integration/trust-api.test.ts sets them low to test them).
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_STARTS: '1000000',
    ...options.env,
  };
  const processes: GangwayProcess[] = [];
  const start = async (role: 'api' | 'worker'): Promise<GangwayProcess> => {
    const port = String(await freePort());
    const own: Record<string, string> =
      role === 'api'
        ? { PORT: port, PUBLIC_URL: env.PUBLIC_URL ?? `http://127.0.0.1:${port}` }
        : { WORKER_HEALTH_PORT: port };
    const proc = { role, url: `http://127.0.0.1:${port}`, ...runGangway([role], { ...env, ...own }) };
    processes.push(proc);
    await waitUntilReady(proc.url, proc);
    return proc;
  };
  const stopAll = async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
  };

  try {
    // The API refuses a schema that is behind; the test database was migrated already, as `gangway migrate` would.
    const apis = await Promise.all(Array.from({ length: options.apis }, () => start('api')));
    const workers = await Promise.all(Array.from({ length: options.workers }, () => start('worker')));
    const client = productHttp(apis[0].url, db.pool);
    return {
      env,
      db,
      mail,
      apis,
      workers,
      processes,
      ...client,
      /** The same requests against the i-th API. */
      through: (i: number) => productHttp(apis[i % apis.length].url, db.pool),
      start,
      async stop() {
        await stopAll();
        await mail.close();
        await db.drop();
      },
    };
  } catch (err) {
    await stopAll();
    await mail.close();
    await db.drop();
    throw err;
  }
}
