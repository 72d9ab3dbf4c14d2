import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../infra/free-port';
import { BASELINE_WORKER_ONLY, type BenchEnv } from '../lib/env';

const ROOT = path.join(__dirname, '..', '..');

export interface ColdStart {
  npmStartFirstMs: number;
  npmStartWarmMs: number;
  workerRestartMs: number[];
  b0WorkerRestartMs: number[];
}

/** `node dist/scripts/start.js` until it prints that it is up, on its own ports and data dir; then Ctrl-C. */
async function timeStart(dataDir: string): Promise<number> {
  const dev = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GANGWAY_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(dev),
    GANGWAY_EMBEDDED_PG_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'GANGWAY_MASTER_KEY']) delete env[key];
  const t0 = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'start.js')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const elapsed = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('gangway is up')) resolve(Date.now() - t0);
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
  });
  child.kill('SIGINT');
  await exited;
  return elapsed;
}

/** Scenario 6: cold start of the whole stack, and a restarted worker against B0's. */
export async function coldStart(env: BenchEnv, restarts: number, options: { npmStart: boolean }): Promise<ColdStart> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gangway-cold-'));
  // As root, embedded PostgreSQL runs as the user "postgres", which must be able to enter it.
  await chmod(dataDir, 0o755);
  try {
    // The smoke run skips `npm start` (it needs dist/ from `npm run build`).
    const npmStartFirstMs = options.npmStart ? await timeStart(dataDir) : NaN;
    const npmStartWarmMs = options.npmStart ? await timeStart(dataDir) : NaN;
    const workerRestartMs: number[] = [];
    const b0WorkerRestartMs: number[] = [];
    for (let i = 0; i < restarts; i++) {
      const ours = await env.startApp({ BENCH_NO_API: '1' });
      workerRestartMs.push(ours.spawnToReadyMs);
      await ours.stop();
      const b0 = await env.startBaseline(BASELINE_WORKER_ONLY);
      b0WorkerRestartMs.push(b0.spawnToReadyMs);
      await b0.stop();
    }
    return { npmStartFirstMs, npmStartWarmMs, workerRestartMs, b0WorkerRestartMs };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
