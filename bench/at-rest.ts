import { readdir, readFile } from 'node:fs/promises';
import { FILE_PRAGMAS } from '../infra/temporal-dev-server';
import { createBenchEnv } from './lib/env';
import { cpuSeconds, cpuSecondsOf } from './lib/proc';

/**
 * What the processes cost at rest: CPU ms per second of the app (worker and API, or one of them), the
 * baselines' process and the dev server, with nothing running, and the app's threads:
 * `node -r ./scripts/register-ts.js bench/at-rest.ts [api|worker] [SECONDS]`.
 */
const [only, seconds = '30'] = process.argv.slice(2);
const alone: Record<string, NodeJS.ProcessEnv> = { api: { BENCH_NO_WORKER: '1' }, worker: { BENCH_NO_API: '1' } };

/** CPU ms of each thread of a process, by thread id and name (a thread that ended meanwhile is left out). */
async function threads(pid: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const task = `/proc/${pid}/task/${tid}`;
    const [name, seconds] = await Promise.all([readFile(`${task}/comm`, 'utf8'), cpuSecondsOf(`${task}/stat`)]).catch(
      () => [],
    );
    if (seconds !== undefined) out[`${tid} ${name.trim()}`] = seconds * 1000;
  }
  return out;
}

async function main() {
  const env = await createBenchEnv({ sqlitePragmas: FILE_PRAGMAS });
  const app = await env.startApp(only ? alone[only] : {});
  const baseline = await env.startBaseline();
  try {
    // Past the start: the first schedules, connections and compilations.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const pids = { app: app.pid, baseline: baseline.pid, 'dev server': env.server.pid };
    const before = await Promise.all(Object.values(pids).map((pid) => cpuSeconds(pid)));
    const threadsBefore = await threads(app.pid);
    await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
    const threadsAfter = await threads(app.pid);
    const after = await Promise.all(Object.values(pids).map((pid) => cpuSeconds(pid)));
    Object.keys(pids).forEach((name, i) =>
      console.log(`${name}: ${(((after[i] - before[i]) * 1000) / Number(seconds)).toFixed(1)} ms/s`),
    );
    for (const [thread, ms] of Object.entries(threadsAfter)) {
      const used = ms - (threadsBefore[thread] ?? 0);
      if (used > 0) console.log(`  app thread ${thread}: ${(used / Number(seconds)).toFixed(1)} ms/s`);
    }
  } finally {
    await app.stop();
    await baseline.stop();
    await env.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
