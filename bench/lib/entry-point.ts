import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../infra/free-port';

const ROOT = path.join(__dirname, '..', '..');
/** The CLI from the sources, as test/support/deployment.ts runs it: `gangway api` and `gangway worker` exactly as deployed. */
const CLI = path.join(ROOT, 'test', 'fixtures', 'gangway-cli.ts');

export interface EntryPoint {
  role: 'api' | 'worker';
  pid: number;
  /** The API's base URL, or the worker's probes. */ url: string;
  stop(): Promise<void>;
}

/**
 * `gangway api` or `gangway worker` as an OS process of its own, configured only by the environment
 * (with a free PORT or WORKER_HEALTH_PORT); resolves once its /readyz answers 200.
 */
export async function startEntryPoint(role: 'api' | 'worker', env: Record<string, string>): Promise<EntryPoint> {
  const port = String(await freePort());
  const url = `http://127.0.0.1:${port}`;
  const own = role === 'api' ? { PORT: port, PUBLIC_URL: url } : { WORKER_HEALTH_PORT: port };
  // BENCH_PROFILE=DIR: a V8 CPU profile of each process, as for the other bench processes (lib/child.ts).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(process.execPath, [...profile, '-r', path.join(ROOT, 'scripts', 'register-ts.js'), CLI, role], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, ...own },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Their logs (LOG_LEVEL=warn: warnings and errors only) go to the bench's stderr, each line marked with the process.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
    for (const line of chunk.toString().split('\n'))
      if (line.trim()) process.stderr.write(`  [gangway ${role} ${child.pid}] ${line}\n`);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? `code ${code}`;
      resolve();
    }),
  );
  const stop = async () => {
    if (exit) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exit) throw new Error(`gangway ${role} exited (${exit}) before it was ready: ${output.trim()}`);
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { role, pid: child.pid!, url, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`gangway ${role} not ready within 90 s: ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
