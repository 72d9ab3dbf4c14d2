import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { apiProcess, temporalRuntime, workerProcess } from '../../cli/process-roles';
import { installHeapSnapshots } from '../lib/heap-snapshots';
import { installWorkCounters } from '../lib/work-counters';

/**
 * Our product in a process of its own (worker + API, as `npm start` runs them), so that the bench
 * can read its CPU and memory from /proc without counting the load generator. BENCH_NO_API runs
 * the worker alone and BENCH_NO_WORKER the API alone, as a deployment with separate processes would.
 */
async function main(): Promise<void> {
  const t0 = Date.now();
  const config = loadConfig(process.env);
  const log = createLogger({ level: 'warn' });
  const runsWorker = !process.env.BENCH_NO_WORKER;
  if (runsWorker) temporalRuntime().installTemporalRuntime(log);
  if (process.env.BENCH_HEAP_SNAPSHOTS) installHeapSnapshots(process.env.BENCH_HEAP_SNAPSHOTS);
  installWorkCounters();
  const bundle = process.env.BENCH_WORKFLOW_BUNDLE ? { codePath: process.env.BENCH_WORKFLOW_BUNDLE } : undefined;
  const worker = runsWorker
    ? await workerProcess().startWorkerProcess(config, log, { workflowBundle: bundle, webhookPollMs: 1_000 })
    : undefined;
  const api = process.env.BENCH_NO_API ? undefined : await apiProcess().startApiProcess(config, log);
  await worker?.ready;
  process.stdout.write(`${JSON.stringify({ ready: true, apiUrl: api?.url, startMs: Date.now() - t0 })}\n`);
  const stop = async () => {
    await api?.stop();
    await worker?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
