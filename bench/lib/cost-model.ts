import type { ParkedRow } from '../scenarios/parked';
import type { ScaleOutRow } from '../scenarios/scale-out';
import type { ThroughputRow } from '../scenarios/throughput';
import type { WorkRow } from '../scenarios/work';
import { table } from './markdown';
import { pooled } from './pooled';
import { fmt } from './stats';

/**
 * The cost model for 100,000 onboardings a day (#18, item 4), derived from the measured figures every time
 * BENCHMARKS.md is rendered, so that it moves with them. docs/performance.md explains the method and what
 * each limit means; this file holds the arithmetic only.
 */

/** The scenarios of the results (bench/report.ts, BenchResults) that the model reads. */
export interface MeasuredResults {
  throughput?: ThroughputRow[];
  cluster?: { throughput?: ThroughputRow[]; scaleOut?: ScaleOutRow[] };
  work?: WorkRow[];
  parked?: ParkedRow[];
}

/** What one onboarding costs, each figure from a scenario of the results, with where it came from. */
export interface CostInputs {
  /** Worker and API CPU per onboarding under load (scenario 1, ours). */
  appCpuMs: number;
  /** The API's share of it (scale-out, one API and one worker process). */
  apiShare: number;
  /** The Temporal server's CPU, and its PostgreSQL's, per onboarding (scenario 1 on the real server). */
  temporalCpuMs: number;
  temporalPgCpuMs: number;
  /** One onboarding's history and rows (scenario 8, the newest code measured). */
  events: number;
  workflowTasks: number;
  historyKiB: number;
  statements: number;
  appPgCpuMs: number;
  tableKiB: number;
  /** A worker process at rest, and what each workflow in its cache adds (scenario 5 at 1,000). */
  workerRestMiB: number;
  kibPerCached: number;
  sources: string[];
}

/** The load the model is sized for, and the rules it is sized by. */
export interface Load {
  perDay: number;
  /** Share of the day's starts in working hours, how long those are, and the busiest hour against their mean. */
  busyShare: number;
  busyHours: number;
  peakFactor: number;
  /** Share of onboardings that wait on people, for how many days, and how often each one's timers wake it. */
  waitingShare: number;
  waitDays: number;
  wakeUpsPerDay: number;
  /** Days a closed history is kept (the namespace's retention). */
  retentionDays: number;
  /** Cores are kept this busy at most, with one process lost. */
  utilisation: number;
  /** Workflows cached per worker (the SDK's default), and connections per process (DATABASE_POOL_MAX). */
  cacheSize: number;
  poolMax: number;
  /** PostgreSQL's default max_connections, and the cores of the largest single primary considered. */
  maxConnections: number;
  primaryCores: number;
}

export const LOAD: Load = {
  perDay: 100_000,
  busyShare: 0.8,
  busyHours: 10,
  peakFactor: 1.5,
  waitingShare: 0.5,
  waitDays: 3,
  wakeUpsPerDay: 2,
  retentionDays: 3,
  utilisation: 0.6,
  cacheSize: 1000,
  poolMax: 10,
  maxConnections: 100,
  primaryCores: 16,
};

export interface CostModel {
  startsPerSecond: number;
  parked: number;
  wakeUpsPerSecond: number;
  worker: { cores: number; count: number; memoryGiB: number; wakeUpMs: number };
  api: { cores: number; count: number };
  temporal: { cores: number; persistenceCores: number; storageGiB: number };
  app: { pgCores: number; statementsPerSecond: number; growthGiBPerDay: number; growthTiBPerYear: number };
  /** Connections gangway's processes hold at most, and the multiple of this load at which max_connections is reached. */
  connections: { used: number; loadAtLimit: number };
  /** Onboardings a day that one primary of `primaryCores` takes as Temporal's persistence, and as gangway's database. */
  capacityPerDay: { temporalPg: number; appPg: number };
}

/** The inputs from the results, or null when a scenario the model needs was not measured. */
export function costInputs(results: MeasuredResults): CostInputs | null {
  const ours = (results.throughput ?? []).filter((row) => row.variant === 'ours');
  const onServer = (results.cluster?.throughput ?? []).filter((row) => row.variant === 'ours');
  const split = (results.cluster?.scaleOut ?? []).filter((row) => row.variant === 'ours' && row.apis === 1);
  const work = (results.work ?? []).filter((row) => row.variant === 'ours').at(-1);
  const parked = (results.parked ?? []).find((row) => row.variant === 'ours' && row.n === 1000);
  if (!ours.length || !onServer.length || !split.length || !work || !parked) return null;
  const [scenario1, onRealServer, byProcess] = [pooled(ours), pooled(onServer), pooled(split)];
  const api = byProcess.ms((row) => row.cpu.groups?.api);
  return {
    appCpuMs: scenario1.ms((row) => row.cpu.app),
    apiShare: api / (api + byProcess.ms((row) => row.cpu.groups?.worker)),
    temporalCpuMs: onRealServer.ms((row) => row.cpu.temporal),
    temporalPgCpuMs: onRealServer.ms((row) => row.cpu.postgresTemporal),
    events: work.events,
    workflowTasks: work.workflowTasks,
    historyKiB: work.historyBytes / 1024,
    statements: work.statements,
    appPgCpuMs: work.cpuMsPostgres,
    tableKiB: (work.tableBytes ?? 0) / 1024,
    workerRestMiB: parked.rssBeforeMiB,
    kibPerCached: parked.kibPerParked,
    sources: [
      `scenario 1: ours' ${ours.length} rows (${scenario1.onboardings} onboardings)`,
      `scenario 1 on the real server: ours' ${onServer.length} rows`,
      `scale-out: ours' ${split.length} rows with one API process`,
      `scenario 8: ours at ${work.label}`,
      'scenario 5: ours at 1,000',
    ],
  };
}

/** The model's arithmetic: every figure from the inputs and the load, nothing else. */
export function costModel(inputs: CostInputs, load: Load = LOAD): CostModel {
  const startsPerSecond = ((load.perDay * load.busyShare) / (load.busyHours * 3600)) * load.peakFactor;
  const parked = load.perDay * load.waitingShare * load.waitDays;
  const wakeUpsPerSecond = (parked * load.wakeUpsPerDay) / 86_400;
  const workerMs = inputs.appCpuMs * (1 - inputs.apiShare);
  // An evicted onboarding woken by a timer replays its history so far and runs one task. Its replay costs at
  // most what running it did, so the whole onboarding's worker CPU bounds it (bench/replay-cost.ts measures
  // a replay of a completed onboarding at the same order).
  const wakeUpMs = workerMs + workerMs / inputs.workflowTasks;
  const workerCores = (startsPerSecond * workerMs + wakeUpsPerSecond * wakeUpMs) / 1000;
  const processesFor = (cores: number, coresEach: number) => Math.ceil(cores / (coresEach * load.utilisation)) + 1;
  const workers = processesFor(workerCores, 1);
  const apiCores = (startsPerSecond * inputs.appCpuMs * inputs.apiShare) / 1000;
  const apis = Math.max(2, processesFor(apiCores, 0.5));
  const openDays = load.waitingShare * load.waitDays;
  const historyGiB = (load.perDay * (load.retentionDays + openDays) * inputs.historyKiB) / 1024 ** 2;
  // Each API holds one connection more than its pool, for its LISTEN.
  const used = workers * load.poolMax + apis * (load.poolMax + 1);
  const persistenceCores = (startsPerSecond * inputs.temporalPgCpuMs) / 1000;
  const appPgCores = (startsPerSecond * inputs.appPgCpuMs) / 1000;
  const growthGiBPerDay = (load.perDay * inputs.tableKiB) / 1024 ** 2;
  /** Onboardings a day that one primary takes, from the cores this load needs of it. */
  const primaryTakes = (coresAtThisLoad: number) =>
    (load.perDay * load.primaryCores * load.utilisation) / coresAtThisLoad;
  return {
    startsPerSecond,
    parked,
    wakeUpsPerSecond,
    worker: {
      cores: workerCores,
      count: workers,
      memoryGiB: (inputs.workerRestMiB + (load.cacheSize * inputs.kibPerCached) / 1024) / 1024,
      wakeUpMs,
    },
    api: { cores: apiCores, count: apis },
    temporal: {
      cores:
        (startsPerSecond * inputs.temporalCpuMs + (wakeUpsPerSecond * inputs.temporalCpuMs) / inputs.workflowTasks) /
        1000,
      persistenceCores,
      // Indexes and visibility about double the histories' own bytes.
      storageGiB: 2 * historyGiB,
    },
    app: {
      pgCores: appPgCores,
      statementsPerSecond: startsPerSecond * inputs.statements,
      growthGiBPerDay,
      growthTiBPerYear: (365 * growthGiBPerDay) / 1024,
    },
    connections: { used, loadAtLimit: load.maxConnections / used },
    capacityPerDay: {
      temporalPg: primaryTakes(persistenceCores),
      appPg: primaryTakes(appPgCores),
    },
  };
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
/** Two significant digits: a capacity is an estimate. */
const roughly = (n: number) => Number(n.toPrecision(2)).toLocaleString('en-US');

/** BENCHMARKS.md's section: the inputs with where each was measured, the load, and what they size. */
export function costModelSection(results: MeasuredResults, load: Load = LOAD): string[] {
  const inputs = costInputs(results);
  const title = '## Cost model: 100,000 onboardings a day, from the figures above';
  if (!inputs)
    return [
      title,
      'Not derived: the results lack scenario 1, its run on the real server, the scale-out, scenario 8 or scenario 5 at 1,000.',
      '',
    ];
  const m = costModel(inputs, load);
  const cores = (n: number) => `${fmt(n, 2)} cores`;
  return [
    title,
    `Derived whenever this file is rendered, from the measured inputs below and the load's assumptions (\`bench/lib/cost-model.ts\`); [docs/performance.md](docs/performance.md#a-cost-model-for-100000-onboardings-a-day-18-item-4) explains the method and what each limit means. Sized for a deployment where the API, the worker, the Temporal server and each PostgreSQL have cores of their own, not this machine: each process kept at most ${load.utilisation * 100} % busy with one of each kind lost.`,
    '',
    `- The load: ${thousands(load.perDay)} starts a day, ${load.busyShare * 100} % of them in ${load.busyHours} hours, the busiest hour ${load.peakFactor} × their mean: **${fmt(m.startsPerSecond, 2)} starts/s**. ${load.waitingShare * 100} % wait on people for ${load.waitDays} days: **${thousands(m.parked)} parked** at any time, each woken by its timers ${load.wakeUpsPerDay} times a day: **${fmt(m.wakeUpsPerSecond, 2)} wake-ups/s**.`,
    `- Measured in: ${inputs.sources.join('; ')}.`,
    '',
    table(
      ['per onboarding', 'measured'],
      [
        [
          'worker + API CPU (scenario 1)',
          `${fmt(inputs.appCpuMs, 0)} ms, the API's share ${fmt(100 * inputs.apiShare, 0)} %`,
        ],
        [
          'Temporal server CPU, and its PostgreSQL (scenario 1 on the real server)',
          `${fmt(inputs.temporalCpuMs, 0)} ms and ${fmt(inputs.temporalPgCpuMs, 0)} ms`,
        ],
        [
          'history (scenario 8)',
          `${fmt(inputs.events)} events, ${fmt(inputs.workflowTasks)} workflow tasks, ${fmt(inputs.historyKiB)} KiB stored`,
        ],
        [
          "gangway's PostgreSQL (scenario 8)",
          `${fmt(inputs.appPgCpuMs, 0)} ms CPU, ${fmt(inputs.statements)} statements, tables grow ${fmt(inputs.tableKiB)} KiB`,
        ],
        [
          'a worker process (scenario 5)',
          `${fmt(inputs.workerRestMiB, 0)} MiB at rest, ${fmt(inputs.kibPerCached, 0)} KiB per cached workflow`,
        ],
      ],
    ),
    '',
    table(
      ['', 'CPU at the busiest hour', 'memory or storage', 'count and size'],
      [
        [
          'worker',
          `${cores(m.worker.cores)} (a wake-up of an evicted onboarding ≤ ${fmt(m.worker.wakeUpMs, 0)} ms: its replay and one task)`,
          `${fmt(m.worker.memoryGiB, 2)} GiB each with ${thousands(load.cacheSize)} cached`,
          `**${m.worker.count} × 1 vCPU**`,
        ],
        [
          'API',
          `${cores(m.api.cores)} for the onboardings' own calls; people's reads on top`,
          '512 MiB each',
          `**${m.api.count} × 0.5 vCPU**`,
        ],
        [
          'Temporal server',
          cores(m.temporal.cores),
          'per its defaults',
          'history, frontend and matching services, two of each; 512 shards',
        ],
        [
          "Temporal's PostgreSQL",
          cores(m.temporal.persistenceCores),
          `≈ ${fmt(m.temporal.storageGiB, 0)} GiB (histories kept ${load.retentionDays} days after close, with indexes and visibility)`,
          'one primary and a replica',
        ],
        [
          "gangway's PostgreSQL",
          `${cores(m.app.pgCores)} (${fmt(m.app.statementsPerSecond, 0)} statements/s)`,
          `${fmt(m.app.growthGiBPerDay, 2)} GiB a day, ${fmt(m.app.growthTiBPerYear, 2)} TiB a year while records are kept`,
          'one primary and a replica',
        ],
      ],
    ),
    '',
    'What breaks first as the load grows:',
    `- gangway's PostgreSQL connections: these processes hold up to ${m.connections.used} (${load.poolMax} per process, one more per API for its LISTEN), so at ${fmt(m.connections.loadAtLimit)} × this load PostgreSQL's default max_connections (${load.maxConnections}) is reached: a setting, not a capacity.`,
    `- Temporal's persistence: one primary of ${load.primaryCores} cores takes about ${roughly(m.capacityPerDay.temporalPg)} onboardings a day (${fmt(m.capacityPerDay.temporalPg / load.perDay, 0)} × this load); past it the persistence must be sharded. gangway's database reaches the same at about ${roughly(m.capacityPerDay.appPg)} a day.`,
    `- The storage of gangway's records: ${fmt(m.app.growthTiBPerYear, 2)} TiB a year until their retention is set (AUDIT_RETENTION, SECURITY_EVENT_RETENTION, MAIL_LOG_RETENTION).`,
    '',
  ];
}
