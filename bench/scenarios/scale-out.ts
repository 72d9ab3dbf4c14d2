import type { BenchChild } from '../lib/child';
import { withConcurrency } from '../lib/concurrency';
import { cpuBetween, readCpu, type CpuSample, type CpuTargets } from '../lib/cpu';
import { login, runBaseline, runOurs, type OursContext } from '../lib/drivers';
import { startEntryPoint, type EntryPoint } from '../lib/entry-point';
import { BASELINE_WORKER_ONLY, type BenchEnv } from '../lib/env';
import { workflowTaskTimeouts } from '../lib/history';

/** One measurement: so many API and worker processes, K in flight, N onboardings start to COMPLETED. */
export interface ScaleOutRow {
  variant: 'ours' | 'B0';
  /** API processes (`gangway api`); B0 has none, its driver starts workflows through the Temporal client. */
  apis: number;
  /** Worker processes (`gangway worker`, or B0's worker-only baseline processes). */
  workers: number;
  inFlight: number;
  n: number;
  seconds: number;
  perSecond: number;
  /** The product's processes (every API and worker) and the Temporal server, as in scenario 1. */
  cpuMsPerOnboarding: number;
  /** cpu.groups: `api` and `worker`, each summed over its processes. */
  cpu: CpuSample;
  durationsMs: number[];
  /** Workflow tasks that timed out in the row's onboardings. */
  taskTimeouts?: number;
}

type Topology = [apis: number, workers: number];
/**
 * From one API and one worker to two of each and back, one process started or stopped at a time, so
 * that each step changes one thing; every other level walks the path backwards, so that neither end
 * is always measured first.
 */
const PATH: Topology[] = [
  [1, 1],
  [1, 2],
  [2, 2],
  [2, 1],
];
const B0_PATH = [1, 2];
/** Onboardings run, unmeasured, after each change: a new process's first calls open connections and compile. */
const WARM_UP = 6;

/**
 * Scale-out on the real server: ours as separately deployed `gangway api` and `gangway worker`
 * processes (the entry points), one and two of each, the load spread over the APIs; B0 with one and
 * two worker processes beside it. The CPU of each group of processes, the server's and PostgreSQL's
 * say what limits the ratio.
 */
export async function scaleOut(
  env: BenchEnv,
  ctx: OursContext,
  options: {
    levels: number[];
    perLevel: number;
    rounds: number;
    say(text: string): void;
    record(row: ScaleOutRow): void;
  },
): Promise<void> {
  const queue = 'bench-scale-out';
  const b0Queue = 'bench-scale-out-b0';
  const productEnv: Record<string, string> = {
    ...(Object.fromEntries(
      Object.entries(env.appEnv).filter(([k, v]) => typeof v === 'string' && !k.startsWith('BENCH_')),
    ) as Record<string, string>),
    TEMPORAL_TASK_QUEUE: queue,
    GANGWAY_WORKFLOW_BUNDLE: env.appEnv.BENCH_WORKFLOW_BUNDLE!,
    // Four processes at the default 10 each, beside the real server's own ~40, would leave little of a shared
    // PostgreSQL's 100 connections to anyone else. 5 is still several times the activities in flight here.
    DATABASE_POOL_MAX: '5',
  };
  const apis: { proc: EntryPoint; ctx: OursContext }[] = [];
  const workers: EntryPoint[] = [];
  const b0Workers: BenchChild[] = [];
  const databases = { temporalDatabases: env.server.databases, appDatabases: [env.dbName] };

  const addApi = async () => {
    const proc = await startEntryPoint('api', productEnv);
    const apiCtx = {
      ...ctx,
      apiUrl: proc.url,
      staffToken: await login(proc.url, env.staff.email, env.staff.password),
      approverToken: await login(proc.url, env.approver.email, env.approver.password),
    };
    apis.push({ proc, ctx: apiCtx });
  };
  const shape = async ([a, w]: Topology) => {
    while (apis.length < a) await addApi();
    while (workers.length < w) workers.push(await startEntryPoint('worker', productEnv));
    while (apis.length > a) await apis.pop()!.proc.stop();
    while (workers.length > w) await workers.pop()!.stop();
    await withConcurrency(WARM_UP, 3, (i) => runOurs(apis[i % apis.length].ctx));
  };
  const shapeB0 = async (w: number) => {
    while (b0Workers.length < w)
      b0Workers.push(await env.startBaseline({ ...BASELINE_WORKER_ONLY, BENCH_BASELINE_QUEUE: b0Queue }));
    while (b0Workers.length > w) await b0Workers.pop()!.stop();
    await withConcurrency(WARM_UP, 3, () => runBaseline({ temporal: env.bareTemporal, taskQueue: b0Queue }, 'B0'));
  };

  const measure = async (
    variant: 'ours' | 'B0',
    k: number,
    targets: CpuTargets,
    run: (i: number) => Promise<{ totalMs: number; workflowId: string }>,
  ) => {
    const before = await readCpu(targets);
    const t0 = Date.now();
    const results = await withConcurrency(options.perLevel, k, run);
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cpuBetween(targets, before, await readCpu(targets));
    const row: ScaleOutRow = {
      variant,
      apis: variant === 'ours' ? apis.length : 0,
      workers: variant === 'ours' ? workers.length : b0Workers.length,
      inFlight: k,
      n: options.perLevel,
      seconds,
      perSecond: options.perLevel / seconds,
      cpuMsPerOnboarding: ((cpu.app + cpu.temporal) * 1000) / options.perLevel,
      cpu,
      durationsMs: results.map((r) => r.totalMs),
      taskTimeouts: await workflowTaskTimeouts(
        variant === 'ours' ? ctx.temporal : env.bareTemporal,
        results.map((r) => r.workflowId),
      ),
    };
    // Kept as soon as it is measured: a failure later in the scenario loses only its own row.
    options.record(row);
    options.say(`  scale-out K=${k} ${variant} ${row.apis} API + ${row.workers} worker: ${row.perSecond.toFixed(2)}/s`);
  };

  try {
    let step = 0;
    for (let round = 0; round < options.rounds; round++) {
      for (const k of options.levels) {
        const forward = step++ % 2 === 0;
        for (const topology of forward ? PATH : [...PATH].reverse()) {
          await shape(topology);
          const targets: CpuTargets = {
            groups: { api: apis.map((a) => a.proc.pid), worker: workers.map((w) => w.pid) },
            temporalPid: env.server.pid,
            ...databases,
          };
          await measure('ours', k, targets, (i) => runOurs(apis[i % apis.length].ctx));
        }
        for (const w of forward ? B0_PATH : [...B0_PATH].reverse()) {
          await shapeB0(w);
          const targets: CpuTargets = {
            groups: { worker: b0Workers.map((b) => b.pid) },
            temporalPid: env.server.pid,
            ...databases,
          };
          await measure('B0', k, targets, () => runBaseline({ temporal: env.bareTemporal, taskQueue: b0Queue }, 'B0'));
        }
        // Ours' processes wait, idle, through B0's rows (restarting them would break the path); B0's do not wait through ours'.
        while (b0Workers.length > 0) await b0Workers.pop()!.stop();
      }
    }
  } finally {
    for (const a of apis) await a.proc.stop();
    for (const w of workers) await w.stop();
    for (const b of b0Workers) await b.stop();
  }
}
