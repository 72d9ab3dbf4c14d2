import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.join(__dirname, '..', '..');

export interface BenchChild {
  process: ChildProcess;
  pid: number;
  apiUrl?: string;
  startMs: number;
  spawnToReadyMs: number;
  stop(): Promise<void>;
}

/** Runs a bench process (TypeScript through the swc hook) and resolves when it prints its ready line. */
export function startChild(file: string, env: NodeJS.ProcessEnv): Promise<BenchChild> {
  const t0 = Date.now();
  // BENCH_PROFILE=DIR writes a V8 CPU profile of each bench process there (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [];
  const child = spawn(
    process.execPath,
    [...profile, '-r', path.join(ROOT, 'scripts', 'register-ts.js'), path.join(ROOT, file)],
    {
      env: { ...process.env, ...env },
      // The IPC channel carries the process's work counters (bench/lib/work-counters.ts).
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      if (!line.startsWith('{"ready"')) return;
      const ready = JSON.parse(line) as { apiUrl?: string; startMs: number };
      child.removeAllListeners('exit');
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        process: child,
        pid: child.pid!,
        apiUrl: ready.apiUrl,
        startMs: ready.startMs,
        spawnToReadyMs: Date.now() - t0,
        async stop() {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}
