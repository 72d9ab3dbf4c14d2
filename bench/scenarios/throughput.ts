import type { BenchChild } from '../lib/child';
import { withConcurrency } from '../lib/concurrency';
import { appTargets, cpuBetween, readCpu, type CpuSample } from '../lib/cpu';
import type { OursContext } from '../lib/drivers';
import { baselineTarget, runVariant, type BenchEnv, type Variant } from '../lib/env';
import { workflowTaskTimeouts } from '../lib/history';
import { readServerCounters, serverWorkBetween, type ServerWork } from '../lib/server-metrics';

export interface ThroughputRow {
  inFlight: number;
  variant: Variant;
  n: number;
  seconds: number;
  perSecond: number;
  cpuMsPerOnboarding: number;
  cpu: CpuSample;
  durationsMs: number[];
  /** Workflow tasks that timed out in the row's onboardings (all of them read after the measurement). */
  taskTimeouts?: number;
  /** What the Temporal server did per onboarding, from its counters (the dev server's). */
  server?: ServerWork;
}

/**
 * Scenario 1: N onboardings with K in flight, start to COMPLETED, interleaved with B0, B1, B2, B3 and B4 on
 * the same servers (each round in another order, so that no variant always runs first or last). CPU per onboarding counts the process under test and the Temporal server.
 */
export async function throughput(
  env: BenchEnv,
  app: BenchChild,
  baseline: BenchChild,
  ctx: OursContext,
  options: { levels: number[]; perLevel: number; rounds: number },
): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  const databases = { temporal: env.server.databases, app: [env.dbName] };
  const orders: Variant[][] = [
    ['B0', 'B1', 'B2', 'B3', 'B4', 'ours'],
    ['ours', 'B4', 'B3', 'B2', 'B1', 'B0'],
    ['B1', 'ours', 'B0', 'B4', 'B3', 'B2'],
    ['B4', 'B0', 'ours', 'B2', 'B1', 'B3'],
    ['B2', 'B3', 'B4', 'B1', 'ours', 'B0'],
  ];
  const clientOf = (variant: Variant) =>
    variant === 'ours' ? ctx.temporal : baselineTarget(env, variant === 'B4' ? 'B3' : variant).temporal;
  for (const k of options.levels) {
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of orders[round % orders.length]) {
        const targets = appTargets(variant === 'ours' ? app.pid : baseline.pid, env.server.pid, databases);
        const metricsUrl = env.server.metricsUrl;
        const countersBefore = metricsUrl ? await readServerCounters(metricsUrl) : undefined;
        const before = await readCpu(targets);
        const t0 = Date.now();
        const results = await withConcurrency(options.perLevel, k, () => runVariant(env, ctx, baseline, variant));
        const seconds = (Date.now() - t0) / 1000;
        const cpu = cpuBetween(targets, before, await readCpu(targets));
        const server =
          metricsUrl && countersBefore
            ? serverWorkBetween(countersBefore, await readServerCounters(metricsUrl), options.perLevel)
            : undefined;
        rows.push({
          inFlight: k,
          variant,
          n: options.perLevel,
          seconds,
          perSecond: options.perLevel / seconds,
          cpuMsPerOnboarding: ((cpu.app + cpu.temporal) * 1000) / options.perLevel,
          cpu,
          server,
          durationsMs: results.map((r) => r.totalMs),
          taskTimeouts: await workflowTaskTimeouts(
            clientOf(variant),
            results.map((r) => r.workflowId),
          ),
        });
        process.stderr.write(`  throughput K=${k} ${variant}: ${(options.perLevel / seconds).toFixed(2)}/s\n`);
      }
    }
  }
  return rows;
}
