import type { ColdStart } from './scenarios/cold-start';
import type { DecisionLatency } from './scenarios/decision';
import type { ParkedRow } from './scenarios/parked';
import type { ReadPair, ReadPath, StartLatency, StartPhases } from './scenarios/api';
import type { ScaleOutRow } from './scenarios/scale-out';
import type { WorkRow } from './scenarios/work';
import type { ServerWork } from './lib/server-metrics';
import type { ThroughputRow } from './scenarios/throughput';
import type { HistoryCensus } from './lib/history';
import { costModelSection } from './lib/cost-model';
import { table } from './lib/markdown';
import { pooled, type Measured } from './lib/pooled';
import { fmt, median, percentile, ratio } from './lib/stats';
import { boxPlots, type Panel } from './lib/svg';

/** A later run folded in by bench/merge.ts: which rows it measured, and how. */
export interface Supplement {
  command: string;
  date: string;
  machine: string;
  sqlite: string;
  /** The real server, when the later run was on it. */
  temporal?: string;
  measured: string[];
}

/** `--temporal cluster`: scenario 1 on the real server beside the same load on the dev server, and the scale-out. */
export interface ClusterResults {
  /** The real server, in one line. */
  server: string;
  /** Scenario 1 on the dev server, in the same run, with the same levels as on the real server. */
  devServer?: ThroughputRow[];
  /** Scenario 1 on the real server. */
  throughput?: ThroughputRow[];
  /** Scenario 7. */
  scaleOut?: ScaleOutRow[];
}

export interface BenchResults {
  meta: {
    command: string;
    date: string;
    machine: string;
    versions: Record<string, string>;
    sqlite: string;
    temporal?: string;
    params: Record<string, unknown>;
    supplements?: Supplement[];
  };
  census?: { ours: HistoryCensus; B0: HistoryCensus };
  throughput?: ThroughputRow[];
  tuning?: { label: string; before: ThroughputRow[]; after: ThroughputRow[] };
  startLatency?: StartLatency[];
  startPhases?: StartPhases;
  decision?: DecisionLatency;
  readPath?: ReadPath;
  parked?: ParkedRow[];
  coldStart?: ColdStart;
  cluster?: ClusterResults;
  /** Scenario 8, one row per variant and code measured (merged runs add theirs). */
  work?: WorkRow[];
  failures?: string[];
}

/** All completed in so many seconds, or how many the budget saw complete and what their rate implies. */
function burst(row: ParkedRow): string {
  const rate = row.completed / row.burstSeconds;
  if (row.completed === row.n) return `all in ${fmt(row.burstSeconds)} s (${fmt(rate, 1)}/s)`;
  return `${row.completed} of ${row.n} by the ${fmt(row.burstSeconds, 0)} s budget (${fmt(rate, 1)}/s; all ≈ ${rate > 0 ? fmt(row.n / rate, 0) : '∞'} s at that rate)`;
}

const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
function workSection(rows: WorkRow[]): string {
  return [
    '## 8. Work per onboarding, one at a time (before and after each change)',
    "Counted rather than timed under load, so that a change reads the same on a noisy machine: the mean of n onboardings run one after another, nothing else in flight. Markers are the local activities (the read model's writes) and the patch markers; the history is as stored (ciphertext), in its protobuf encoding; statements are every one the process sent to PostgreSQL (ours: the worker, the API and the driver's reads of it; B2, B3 and B4: their activities). CPU is per onboarding, from /proc; table KiB is what the run's database tables grew by per onboarding (B2's, B3's and B4's are their own two tables; B3's and B4's mails and logins go to the bench's own sink and portal, in the driver). Each row names the code it measured, oldest first.",
    '',
    table(
      [
        'code',
        '',
        'n',
        'events',
        'workflow tasks',
        'activities',
        'markers (local activities, patches)',
        'search-attribute upserts',
        'history KiB',
        'SQL statements',
        'CPU ms worker+API (of which the API, run apart)',
        'CPU ms Temporal',
        'CPU ms PostgreSQL',
        'table KiB',
        'mails, portal logins',
      ],
      rows.map((w) => [
        w.label,
        w.variant,
        w.n,
        fmt(w.events, 1),
        fmt(w.workflowTasks, 1),
        fmt(w.activities, 1),
        fmt(w.localActivities, 1),
        fmt(w.upserts, 1),
        fmt(w.historyBytes / 1024, 1),
        fmt(w.statements, 1),
        w.cpuMsApi === undefined ? fmt(w.cpuMsApp, 0) : `${fmt(w.cpuMsApp, 0)} (${fmt(w.cpuMsApi, 0)})`,
        fmt(w.cpuMsTemporal, 0),
        fmt(w.cpuMsPostgres, 0),
        w.tableBytes === undefined ? '' : fmt(w.tableBytes / 1024, 1),
        w.mails === undefined ? '' : `${fmt(w.mails, 1)}, ${fmt(w.portalLogins ?? NaN, 1)}`,
      ]),
    ),
  ].join('\n');
}

function throughputSection(rows: ThroughputRow[]): string {
  const levels = [...new Set(rows.map((r) => r.inFlight))];
  const avg = (k: number, v: string, f: (r: ThroughputRow) => number) => {
    const picked = rows.filter((r) => r.inFlight === k && r.variant === v);
    return picked.reduce((a, r) => a + f(r), 0) / picked.length;
  };
  const body = levels.map((k) => {
    const [o, b0, b1, b2] = ['ours', 'B0', 'B1', 'B2'].map((v) => avg(k, v, (r) => r.perSecond));
    const [co, cb0, cb2] = ['ours', 'B0', 'B2'].map((v) => avg(k, v, (r) => r.cpuMsPerOnboarding));
    return [
      k,
      fmt(o, 2),
      fmt(b0, 2),
      fmt(b1, 2),
      fmt(b2, 2),
      `${fmt(ratio(o, b0), 2)} (${verdict(o / b0 >= 0.85)})`,
      `${fmt(ratio(o, b1), 2)} (${verdict(o / b1 >= 0.95)})`,
      fmt(ratio(o, b2), 2),
      fmt(co, 0),
      fmt(cb0, 0),
      fmt(cb2, 0),
      `${fmt(ratio(co, cb0), 2)} (${verdict(co / cb0 <= 1.2)})`,
      fmt(ratio(co, cb2), 2),
    ];
  });
  const cpu = levels.map((k) => {
    const r = rows.find((x) => x.inFlight === k && x.variant === 'ours')!;
    const wall = r.seconds;
    return [
      k,
      fmt(r.cpu.app / wall, 2),
      fmt(r.cpu.temporal / wall, 2),
      fmt(r.cpu.postgres / wall, 2),
      fmt(r.cpu.driver / wall, 2),
      fmt(median(r.durationsMs), 0),
      fmt(percentile(r.durationsMs, 99), 0),
    ];
  });
  const outside = outsideWorkTable(levels, avg);
  const perOnboarding = levels.flatMap((k) =>
    VARIANTS.filter((v) => rows.some((r) => r.inFlight === k && r.variant === v)).map((v) => {
      const ms = (f: (r: ThroughputRow) => number) =>
        fmt(
          avg(k, v, (r) => (f(r) * 1000) / r.n),
          0,
        );
      return [
        k,
        v,
        ms((r) => r.cpu.app),
        ms((r) => r.cpu.temporal),
        ms((r) => r.cpu.postgres),
        ms((r) => r.cpu.driver),
      ];
    }),
  );
  const serverWork = levels.flatMap((k) =>
    VARIANTS.filter((v) => rows.some((r) => r.inFlight === k && r.variant === v && r.server)).map((v) => {
      const per = (f: (w: ServerWork) => number) => avg(k, v, (r) => f(r.server!));
      const sync = per((w) => w.pollSuccessSync);
      const all = per((w) => w.pollSuccess);
      const ops = rows.find((r) => r.inFlight === k && r.variant === v)!.server!.persistenceByOperation;
      return [
        k,
        v,
        fmt(
          per((w) => w.serviceRequests),
          0,
        ),
        fmt(
          per((w) => w.persistenceRequests),
          0,
        ),
        fmt(all, 1),
        all ? `${fmt((100 * sync) / all, 0)} %` : '',
        Object.entries(ops)
          .slice(0, 5)
          .map(([op, n]) => `${op} ${fmt(n, 1)}`)
          .join(', '),
      ];
    }),
  );
  return [
    '## 1. Sustained throughput (start to COMPLETED, approvals and credentials automated)',
    table(
      [
        'in flight',
        'ours /s',
        'B0 /s',
        'B1 /s',
        'B2 /s',
        'ours/B0 (≥0.85)',
        'ours/B1 (≥0.95)',
        'ours/B2',
        'CPU ms/onb ours',
        'CPU ms/onb B0',
        'CPU ms/onb B2',
        'CPU ratio (≤1.2)',
        'CPU ours/B2',
      ],
      body,
    ),
    ...(outside.length
      ? [
          '',
          "B3 is B2 with the work ours does outside Temporal and PostgreSQL: the five mails over SMTP (the product's pooled mailer, to the same mail sink) and the portal login over HTTP (the same portal). What that work costs by itself is B3 against B0; what gangway's own machinery costs on top of it (the API and its calls, the read model, the audit trail, the mails' bookkeeping, the rules) is ours against B3. B4 is B3 driven over HTTP as ours is, through the fewest endpoints that serve an onboarding's calls (a start, two decisions as Updates, the credentials as a signal, a read that answers once it has completed), each making the one Temporal call ours' API makes, with no authentication, validation, rows or rules: B4 against B0 is what an API costs as such.",
          '',
          table(
            [
              'in flight',
              'B3 /s',
              'B3/B0',
              'ours/B3',
              'CPU ms/onb B3',
              'CPU B3/B0',
              'CPU ours/B3',
              'B4 /s',
              'B4/B0',
              'ours/B4',
              'CPU ms/onb B4',
              'CPU B4/B0',
            ],
            outside,
          ),
        ]
      : []),
    '',
    'Where the CPU went while ours ran (cores busy = CPU seconds per wall second; the machine has 2):',
    '',
    table(
      ['in flight', 'worker+API', 'Temporal dev server', 'PostgreSQL', 'load driver', 'onboarding p50 ms', 'p99 ms'],
      cpu,
    ),
    '',
    'CPU ms per onboarding by process (the CPU ratio above counts the first two):',
    '',
    table(['in flight', '', 'worker+API', 'Temporal dev server', 'PostgreSQL', 'load driver'], perOnboarding),
    ...(serverWork.length
      ? [
          '',
          "What the dev server did per onboarding, from its own counters: the requests it served, its persistence requests (each a SQLite statement or transaction), the tasks it handed to pollers and the share of them handed to a poller already waiting (sync match; the others were written to the task queue's backlog and read back), and its largest persistence operations (the first round's):",
          '',
          table(
            [
              'in flight',
              '',
              'requests',
              'persistence requests',
              'tasks handed out',
              'sync match',
              'largest persistence operations',
            ],
            serverWork,
          ),
        ]
      : []),
  ].join('\n');
}

/**
 * Scenario 1's variants in the order the tables list them; B3 is absent from runs before 2026-12-02's last,
 * B4 from runs before 2026-12-03's.
 */
const VARIANTS = ['ours', 'B0', 'B1', 'B2', 'B3', 'B4'] as const;

/** B3's and B4's rows of scenario 1 (none when the run had no B3; B4's columns n/a when it had no B4). */
function outsideWorkTable(levels: number[], avg: (k: number, v: string, f: (r: ThroughputRow) => number) => number) {
  return levels
    .map((k) => {
      const [o, b0, b3, b4] = ['ours', 'B0', 'B3', 'B4'].map((v) => avg(k, v, (r) => r.perSecond));
      const [co, cb0, cb3, cb4] = ['ours', 'B0', 'B3', 'B4'].map((v) => avg(k, v, (r) => r.cpuMsPerOnboarding));
      return [
        k,
        fmt(b3, 2),
        fmt(ratio(b3, b0), 2),
        fmt(ratio(o, b3), 2),
        fmt(cb3, 0),
        fmt(ratio(cb3, cb0), 2),
        fmt(ratio(co, cb3), 2),
        fmt(b4, 2),
        fmt(ratio(b4, b0), 2),
        fmt(ratio(o, b4), 2),
        fmt(cb4, 0),
        fmt(ratio(cb4, cb0), 2),
      ];
    })
    .filter((row) => row[1] !== 'n/a');
}

/** The Temporal server's side of a row: its process, and on the real server its PostgreSQL backends (the dev server's SQLite is inside its process). */
const serverCpu = (cpu: ThroughputRow['cpu']) => cpu.temporal + (cpu.postgresTemporal ?? 0);
/** PostgreSQL less the Temporal server's databases: gangway's database and the server's own processes (WAL writer, checkpointer). */
const otherPostgres = (cpu: ThroughputRow['cpu']) => cpu.postgres - (cpu.postgresTemporal ?? 0);
/** What a measurement costs: the process under test (every API and worker) and the Temporal server with its store. */
const costCpu = (r: Measured) => r.cpu.app + serverCpu(r.cpu);

function clusterThroughputSection(c: ClusterResults, machineCores: string): string {
  const servers = [
    ['dev server', c.devServer ?? []],
    ['real server', c.throughput ?? []],
  ] as const;
  const levels = [...new Set([...(c.devServer ?? []), ...(c.throughput ?? [])].map((r) => r.inFlight))].sort(
    (a, b) => a - b,
  );
  const of = (rows: readonly ThroughputRow[], k: number, v: string) =>
    pooled(rows.filter((r) => r.inFlight === k && r.variant === v));
  const present = (rows: readonly ThroughputRow[], k: number, v: string) =>
    rows.some((r) => r.inFlight === k && r.variant === v);
  const body = levels.flatMap((k) =>
    servers
      .filter(([, rows]) => rows.some((r) => r.inFlight === k))
      .map(([name, rows]) => {
        const [o, b0, b1] = ['ours', 'B0', 'B1'].map((v) => of(rows, k, v));
        const [co, cb0] = [o.ms(costCpu), b0.ms(costCpu)];
        return [
          k,
          name,
          fmt(o.rate, 2),
          fmt(b0.rate, 2),
          fmt(b1.rate, 2),
          fmt(ratio(o.rate, b0.rate), 2),
          fmt(ratio(o.rate, b1.rate), 2),
          fmt(co, 0),
          fmt(cb0, 0),
          fmt(ratio(co, cb0), 2),
          fmt(ratio(cb0, co), 2),
          fmt(o.p50, 0),
          fmt(b0.p50, 0),
          `${o.taskTimeouts} / ${b0.taskTimeouts}`,
        ];
      }),
  );
  const moved = levels
    .filter((k) => present(c.devServer ?? [], k, 'ours') && present(c.throughput ?? [], k, 'ours'))
    .map((k) => {
      const [d, r] = [c.devServer!, c.throughput!].map((rows) => [of(rows, k, 'ours'), of(rows, k, 'B0')]);
      const measured = `${fmt(ratio(d[0].rate, d[1].rate), 2)} → ${fmt(ratio(r[0].rate, r[1].rate), 2)}`;
      const equalCpu = `${fmt(ratio(d[1].ms(costCpu), d[0].ms(costCpu)), 2)} → ${fmt(ratio(r[1].ms(costCpu), r[0].ms(costCpu)), 2)}`;
      return `${k} in flight ${measured} measured, ${equalCpu} at equal CPU`;
    });
  const variants = VARIANTS;
  const where = levels.flatMap((k) =>
    servers.flatMap(([name, rows]) =>
      variants
        .filter((v) => present(rows, k, v))
        .map((v) => {
          const p = of(rows, k, v);
          return [
            k,
            name,
            v,
            p.cores((r) => r.cpu.app),
            p.cores((r) => r.cpu.temporal),
            name === 'dev server' ? '(in its process)' : p.cores((r) => r.cpu.postgresTemporal),
            p.cores((r) => otherPostgres(r.cpu)),
            p.cores((r) => r.cpu.driver),
            p.cores((r) => r.cpu.app + r.cpu.temporal + r.cpu.postgres + r.cpu.driver),
            p.cores((r) => r.cpu.machineBusy),
            p.cores((r) => r.cpu.machineIowait),
          ];
        }),
    ),
  );
  const perOnboarding = levels.flatMap((k) =>
    servers.flatMap(([name, rows]) =>
      variants
        .filter((v) => present(rows, k, v))
        .map((v) => {
          const p = of(rows, k, v);
          return [
            k,
            name,
            v,
            fmt(
              p.ms((r) => r.cpu.app),
              0,
            ),
            fmt(
              p.ms((r) => r.cpu.temporal),
              0,
            ),
            name === 'dev server'
              ? '(in its process)'
              : fmt(
                  p.ms((r) => r.cpu.postgresTemporal),
                  0,
                ),
            fmt(
              p.ms((r) => otherPostgres(r.cpu)),
              0,
            ),
            fmt(
              p.ms((r) => r.cpu.driver),
              0,
            ),
          ];
        }),
    ),
  );
  const rounds = levels.length ? of(c.throughput ?? c.devServer ?? [], levels[0], 'ours').rounds : 0;
  return [
    '## Scenario 1 on the real Temporal server (PostgreSQL, 4 shards, mTLS)',
    `${c.server}, on the same PostgreSQL as gangway's database; its clients (ours, the baselines, the load driver) connect with the TEMPORAL_* settings over mTLS. The same load ran on the dev server in the same run, the rounds alternating between the servers (dev, real, real, dev, …); ${rounds || 'n/a'} round(s) of each row, pooled. "At equal CPU" is B0's CPU per onboarding over ours' (the rate ratio if both had the same cores): on a machine others load too, what each variant obtains of the two cores differs, and the measured ratio carries that.`,
    '',
    table(
      [
        'in flight',
        'Temporal',
        'ours /s',
        'B0 /s',
        'B1 /s',
        'ours/B0',
        'ours/B1',
        'CPU ms/onb ours',
        'CPU ms/onb B0',
        'CPU ratio',
        'ours/B0 at equal CPU',
        'ours p50 ms',
        'B0 p50 ms',
        'task timeouts ours / B0',
      ],
      body,
    ),
    '',
    `ours/B0, dev server → real server: ${moved.join('; ') || 'n/a'}. CPU per onboarding counts the process under test and the Temporal server with its store (on the real server its PostgreSQL backends; the dev server's SQLite is in its process).`,
    '',
    `Where the CPU went (cores busy = CPU seconds per wall second; "all measured" is the columns before it; "machine" is every process on it, other people's included, from /proc/stat; the machine has ${machineCores}):`,
    '',
    table(
      [
        'in flight',
        'Temporal',
        '',
        'worker+API',
        'Temporal server',
        'its PostgreSQL',
        "other PostgreSQL (gangway's database, WAL writer…)",
        'load driver',
        'all measured',
        'machine',
        'iowait',
      ],
      where,
    ),
    '',
    'CPU ms per onboarding by process:',
    '',
    table(
      [
        'in flight',
        'Temporal',
        '',
        'worker+API',
        'Temporal server',
        'its PostgreSQL',
        'other PostgreSQL',
        'load driver',
      ],
      perOnboarding,
    ),
  ].join('\n');
}

type Shape = { variant: string; apis: number; workers: number };

function scaleOutSection(rows: ScaleOutRow[], machineCores: string): string {
  const levels = [...new Set(rows.map((r) => r.inFlight))].sort((a, b) => a - b);
  const shapes: Shape[] = [...new Set(rows.map((r) => `${r.variant}|${r.apis}|${r.workers}`))].map((key) => {
    const [variant, apis, workers] = key.split('|');
    return { variant, apis: Number(apis), workers: Number(workers) };
  });
  const pick = (k: number, s: Shape) =>
    rows.filter((r) => r.inFlight === k && r.variant === s.variant && r.apis === s.apis && r.workers === s.workers);
  const one = (s: Shape): Shape => ({ variant: s.variant, apis: s.variant === 'ours' ? 1 : 0, workers: 1 });
  const body = levels.flatMap((k) =>
    shapes
      .filter((s) => pick(k, s).length)
      .map((s) => {
        const p = pooled(pick(k, s));
        const base = pooled(pick(k, one(s)));
        return [
          k,
          s.variant,
          s.variant === 'ours' ? s.apis : '(client)',
          s.workers,
          fmt(p.rate, 2),
          fmt(ratio(p.rate, base.rate), 2),
          fmt(ratio(base.ms(costCpu), p.ms(costCpu)), 2),
          fmt(p.ms(costCpu), 0),
          s.variant === 'ours' ? p.cores((r) => r.cpu.groups?.api) : '',
          p.cores((r) => r.cpu.groups?.worker ?? r.cpu.app),
          p.cores((r) => r.cpu.temporal),
          p.cores((r) => r.cpu.postgresTemporal),
          p.cores((r) => otherPostgres(r.cpu)),
          p.cores((r) => r.cpu.driver),
          p.cores((r) => r.cpu.app + r.cpu.temporal + r.cpu.postgres + r.cpu.driver),
          p.cores((r) => r.cpu.machineBusy),
          fmt(p.p50, 0),
          p.taskTimeouts,
        ];
      }),
  );
  const versus = (label: string, two: Shape, base: Shape) => {
    const at = levels
      .filter((k) => pick(k, two).length && pick(k, base).length)
      .map((k) => {
        const [t, b] = [pooled(pick(k, two)), pooled(pick(k, base))];
        return `${fmt(ratio(t.rate, b.rate), 2)} at ${k} in flight (${fmt(ratio(b.ms(costCpu), t.ms(costCpu)), 2)} at equal CPU)`;
      });
    return at.length ? `- ${label}: ${at.join(', ')}` : undefined;
  };
  const ratios = [
    versus(
      'ours, two worker processes against one (one API)',
      { variant: 'ours', apis: 1, workers: 2 },
      { variant: 'ours', apis: 1, workers: 1 },
    ),
    versus(
      'ours, two API processes against one (one worker)',
      { variant: 'ours', apis: 2, workers: 1 },
      { variant: 'ours', apis: 1, workers: 1 },
    ),
    versus(
      'ours, two of each against one of each',
      { variant: 'ours', apis: 2, workers: 2 },
      { variant: 'ours', apis: 1, workers: 1 },
    ),
    versus(
      'B0, two worker processes against one',
      { variant: 'B0', apis: 0, workers: 2 },
      { variant: 'B0', apis: 0, workers: 1 },
    ),
  ].filter((x): x is string => x !== undefined);
  const oursRows = rows.filter((r) => r.variant === 'ours');
  const busy = oursRows.map((r) => (r.cpu.machineBusy ?? NaN) / r.seconds).filter(Number.isFinite);
  const measured = oursRows.map((r) => (r.cpu.app + r.cpu.temporal + r.cpu.postgres + r.cpu.driver) / r.seconds);
  return [
    '## Scale-out on the real Temporal server (`gangway api` and `gangway worker` as separate processes)',
    "Scenario 1's load (start to COMPLETED) through one or two `gangway api` processes (the onboardings spread over them) and one or two `gangway worker` processes, each an OS process started with its entry point (DATABASE_POOL_MAX=5 each); B0 with one or two worker-only processes, started through the Temporal client. Each level walks from one of each to two of each and back, one process started or stopped at a time; rounds pooled. Ratios are to the one-API-one-worker row (B0: one worker) at the same level; \"at equal CPU\" is that row's CPU per onboarding over this one's (the ratio if both had the same cores). CPU per onboarding counts every API and worker process and the Temporal server with its PostgreSQL; the columns after it are cores busy.",
    '',
    table(
      [
        'in flight',
        '',
        'APIs',
        'workers',
        '/s',
        'ratio to 1 + 1',
        'at equal CPU',
        'CPU ms/onb',
        'APIs',
        'workers',
        'Temporal server',
        'its PostgreSQL',
        'other PostgreSQL',
        'load driver',
        'all measured',
        'machine',
        'p50 ms',
        'task timeouts',
      ],
      body,
    ),
    '',
    ...ratios,
    ...(busy.length
      ? [
          '',
          `While ours ran, the processes measured here kept ${fmt(Math.min(...measured), 2)}–${fmt(Math.max(...measured), 2)} cores busy, and the machine as a whole (everyone's processes) ${fmt(Math.min(...busy), 2)}–${fmt(Math.max(...busy), 2)} of its ${machineCores}.`,
        ]
      : []),
  ].join('\n');
}

/** BENCHMARKS.md, entirely: a run or a merge rewrites it whole, so prose belongs in docs/performance.md. */
export function renderReport(r: BenchResults): string {
  const out: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`${r.meta.command}\` on ${r.meta.date}. Figures are medians and ratios against baselines run in the same process tree, on the same dev server and PostgreSQL, interleaved: this machine is shared and noisy, and on the dev server absolute throughput mostly measures its single SQLite shard.`,
    '',
    `- Machine: ${r.meta.machine}`,
    ...Object.entries(r.meta.versions).map(([k, v]) => `- ${k}: ${v}`),
    `- Temporal dev server: ${r.meta.sqlite}`,
    `- Parameters: ${Object.entries(r.meta.params)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ')}`,
    "- Baselines: B0 is a bare workflow with the onboarding's shape (10 activities, 3 signals, 3 condition timers), no-op activities; B1 is B0 whose activities each make two PostgreSQL writes (a keyed row and a versioned jsonb upsert), as ours do; B2 is B1 with the product's payload codec on its client and worker (every payload AES-GCM encrypted under a key derived from the same master key), since encryption is one of the product's promises; B3 is B2 whose steps that mail in ours (the approval request, each decision, the collector link, the kit) each send a mail of the same size through the product's pooled SMTP mailer, and whose portal check logs in to the same portal over HTTP: the work ours does outside Temporal and PostgreSQL, and nothing else of ours. B4 is B3 driven over HTTP through the fewest endpoints that serve an onboarding's calls, each the one Temporal call ours' API makes (the start, each decision as an Update, the credentials as a signal, a read once it completed), in the baselines' process. The bare endpoints start B0 or read one row with the same pool.",
    '- Latency distributions: [bench/results/latency.svg](bench/results/latency.svg).',
    '- What the figures mean (the cost model, the bottlenecks, each gap, what each change measured before and after) is in [docs/performance.md](docs/performance.md), written by hand; this file is generated whole by every run and every merge.',
    ...(r.meta.temporal ? [`- Real Temporal server: ${r.meta.temporal}`] : []),
    ...(r.meta.supplements ?? []).map(
      (x) =>
        `- From a later run, \`${x.command}\` on ${x.date} (${x.machine}; ${x.sqlite}${x.temporal ? `; ${x.temporal}` : ''}): ${x.measured.join(', ')}.`,
    ),
    '',
  ];
  if (r.census) {
    const { ours, B0 } = r.census;
    const keys = Object.keys(ours) as (keyof HistoryCensus)[];
    out.push(
      '## One onboarding in history events (a warm-up run of each)',
      'Every workflow task and activity is a round trip to the dev server and a SQLite commit; local activities are markers inside a workflow task; each upsert of search attributes is also a visibility write.',
      '',
      table(
        ['', ...keys],
        [
          ['ours', ...keys.map((k) => ours[k])],
          ['B0', ...keys.map((k) => B0[k])],
        ],
      ),
      '',
    );
  }
  if (r.work?.length) out.push(workSection(r.work), '');
  if (r.throughput) out.push(throughputSection(r.throughput), '');
  const machineCores = `${/(\d+) cores/.exec(r.meta.machine)?.[1] ?? 'n/a'} cores`;
  if (r.cluster?.devServer || r.cluster?.throughput) out.push(clusterThroughputSection(r.cluster, machineCores), '');
  if (r.cluster?.scaleOut?.length) out.push(scaleOutSection(r.cluster.scaleOut, machineCores), '');
  if (r.startLatency?.length) {
    out.push(
      '## 2. Start: POST /v1/onboardings at a fixed offered rate',
      table(
        [
          'workers running what is started',
          'offered /s',
          '',
          'p50 ms',
          'p99 ms',
          'requests',
          'non-2xx',
          'errors',
          'p99 ratio (≤1.5)',
          'REST overhead at p50 (≤5 ms)',
        ],
        r.startLatency.flatMap((s) => {
          const workers = s.workers === 'none' ? 'none (the API alone)' : 'yes';
          return [
            [
              workers,
              s.rate,
              'ours',
              fmt(s.ours.p50),
              fmt(s.ours.p99),
              s.ours.requests,
              s.ours.non2xx,
              s.ours.errors,
              `${fmt(ratio(s.ours.p99, s.bare.p99), 2)} (${verdict(s.ours.p99 <= 1.5 * s.bare.p99)})`,
              `${fmt(s.ours.p50 - s.bare.p50)} ms (${verdict(s.ours.p50 - s.bare.p50 <= 5)})`,
            ],
            [
              workers,
              s.rate,
              'bare (start B0)',
              fmt(s.bare.p50),
              fmt(s.bare.p99),
              s.bare.requests,
              s.bare.non2xx,
              s.bare.errors,
              '',
              '',
            ],
          ];
        }),
      ),
      '',
    );
  }
  if (r.startPhases) {
    const p = r.startPhases;
    const names = Object.keys(p.phases);
    const [ours, bare] = [median(p.oursMs), median(p.bareMs)];
    const inside = names.reduce((sum, n) => sum + median(p.phases[n]), 0);
    out.push(
      `One start at a time, the API alone (medians of ${p.oursMs.length}; ours' phases from its Server-Timing header; "outside the phases" is HTTP, JSON, authentication and routing):`,
      '',
      table(
        ['', 'client-side ms', ...names.map((n) => `${n} ms`), 'outside the phases ms'],
        [
          ['ours', fmt(ours, 1), ...names.map((n) => fmt(median(p.phases[n]), 1)), fmt(ours - inside, 1)],
          ['bare (start B0)', fmt(bare, 1), ...names.map(() => ''), ''],
        ],
      ),
      '',
      `REST overhead one at a time: ${fmt(ours - bare, 1)} ms at p50 (target ≤ 5 ms: ${verdict(ours - bare <= 5)}).`,
      '',
    );
  }
  if (r.decision) {
    const d = r.decision;
    const [o50, b50, o99] = [median(d.oursMs), median(d.b0Ms), percentile(d.oursMs, 99)];
    out.push(
      '## 3. Decision: the decisive approval to ASSIGN_SUBSCRIPTIONS completed',
      table(
        ['', 'p50 ms', 'p99 ms', 'samples'],
        [
          ['ours (API → Update)', fmt(o50), fmt(o99), d.oursMs.length],
          ['B0 (signal)', fmt(b50), fmt(percentile(d.b0Ms, 99)), d.b0Ms.length],
        ],
      ),
      '',
      `p50 ratio ${fmt(ratio(o50, b50), 2)} (target ≤ 1.15: ${verdict(o50 <= 1.15 * b50)}); p99 ${fmt(o99)} ms (target < 200 ms: ${verdict(o99 < 200)}).`,
      '',
    );
  }
  if (r.readPath) {
    const p = r.readPath;
    const row = (name: string, pair: ReadPair) => [
      name,
      fmt(pair.ours.rps, 0),
      fmt(pair.bare.rps, 0),
      `${fmt(ratio(pair.ours.rps, pair.bare.rps), 2)} (${verdict(pair.ours.rps >= 0.7 * pair.bare.rps)})`,
      pair.roundRatios ? pair.roundRatios.map((x) => fmt(x, 2)).join(', ') : '',
      fmt(pair.ours.p50),
      fmt(pair.bare.p50),
    ];
    out.push(
      '## 4. Read path (from the PostgreSQL projection, never a Temporal query)',
      'Each pair in rounds that alternate which endpoint goes first; requests per second are the mean over the rounds, latencies the median round’s.',
      '',
      table(
        ['', 'ours req/s', 'bare req/s', 'ratio (≥0.7)', 'ratio in each round', 'ours p50 ms', 'bare p50 ms'],
        [row('GET /v1/onboardings/{id}', p.byId), row('GET /v1/onboardings', p.list)],
      ),
      '',
    );
  }

  if (r.parked) {
    const rows = r.parked;
    const sizes = [...new Set(rows.map((x) => x.n))];
    out.push(
      '## 5. Waiting at scale: onboardings parked at approval',
      table(
        [
          'N',
          '',
          'RSS before MiB',
          'RSS parked MiB',
          'KiB per parked',
          'ratio to B0 (≤1.2)',
          'started → all parked, s',
          'approvals in a burst → completed',
          'task timeouts (sampled)',
        ],
        sizes.flatMap((n) => {
          // A variant whose measurement failed has no row; the other is still shown.
          const o = rows.find((x) => x.n === n && x.variant === 'ours');
          const b = rows.find((x) => x.n === n && x.variant === 'B0');
          const versus =
            o && b
              ? `${fmt(ratio(o.kibPerParked, b.kibPerParked), 2)} (${verdict(o.kibPerParked <= 1.2 * b.kibPerParked)})`
              : 'n/a';
          return [
            ...(o
              ? [
                  [
                    n,
                    'ours',
                    fmt(o.rssBeforeMiB, 0),
                    fmt(o.rssParkedMiB, 0),
                    fmt(o.kibPerParked),
                    versus,
                    fmt(o.startSeconds),
                    burst(o),
                    `${o.workflowTaskTimeouts} / ${o.sampledHistories}`,
                  ],
                ]
              : []),
            ...(b
              ? [
                  [
                    n,
                    'B0',
                    fmt(b.rssBeforeMiB, 0),
                    fmt(b.rssParkedMiB, 0),
                    fmt(b.kibPerParked),
                    '',
                    fmt(b.startSeconds),
                    burst(b),
                    `${b.workflowTaskTimeouts} / ${b.sampledHistories}`,
                  ],
                ]
              : []),
          ];
        }),
      ),
      '',
      `Worker RSS stays under 1 GiB: ${verdict(rows.filter((x) => x.variant === 'ours').every((x) => x.rssParkedMiB < 1024))}.`,
      '',
    );
  }
  if (r.coldStart) {
    const c = r.coldStart;
    const [o, b] = [median(c.workerRestartMs), median(c.b0WorkerRestartMs)];
    out.push(
      '## 6. Cold start',
      table(
        ['', 'ms'],
        [
          ['`npm start` to ready, new data dir (initdb, new SQLite file)', fmt(c.npmStartFirstMs, 0)],
          [
            `\`npm start\` to ready, provisioned (target < 10 s: ${verdict(c.npmStartWarmMs < 10_000)})`,
            fmt(c.npmStartWarmMs, 0),
          ],
          ['restarted worker back to work, ours (median)', fmt(o, 0)],
          ['restarted worker back to work, B0 (median)', fmt(b, 0)],
        ],
      ),
      '',
      `Worker restart ratio ${fmt(ratio(o, b), 2)} (target ≤ 1.5: ${verdict(o <= 1.5 * b)}).`,
      '',
    );
  }
  if (r.tuning) {
    const t = r.tuning;
    const rate = (rows: ThroughputRow[], v: string) =>
      rows.filter((x) => x.variant === v).reduce((a, x) => a + x.perSecond, 0) /
      Math.max(1, rows.filter((x) => x.variant === v).length);
    out.push(
      `## Tuning: ${t.label}`,
      table(
        ['', 'ours /s before', 'ours /s after', 'B0 /s before', 'B0 /s after'],
        [
          [
            'throughput',
            fmt(rate(t.before, 'ours'), 2),
            fmt(rate(t.after, 'ours'), 2),
            fmt(rate(t.before, 'B0'), 2),
            fmt(rate(t.after, 'B0'), 2),
          ],
        ],
      ),
      '',
    );
  }
  out.push(...costModelSection(r));
  if (r.failures?.length) out.push('## Scenarios that failed in this run', ...r.failures.map((f) => `- ${f}`), '');
  return out.join('\n');
}

/** The plot of the latency distributions (bench/results/latency.svg), from the results alone, so that a merge can draw it again. */
export function latencyPlot(results: BenchResults): string {
  const panels: Panel[] = [];
  const top = results.throughput && Math.max(...results.throughput.map((r) => r.inFlight));
  if (results.throughput) {
    panels.push({
      title: `1. onboarding start→COMPLETED, ${top} in flight`,
      unit: 'ms',
      series: VARIANTS.filter((v) => results.throughput!.some((r) => r.variant === v)).map((v) => ({
        label: v,
        values: results.throughput!.filter((r) => r.inFlight === top && r.variant === v).flatMap((r) => r.durationsMs),
      })),
    });
  }
  if (results.startLatency?.length) {
    const [s] = results.startLatency;
    const p = (r: { percentiles: Record<string, number>; p50: number; p99: number }) => ({
      p25: r.percentiles.p25 ?? r.p50,
      p50: r.p50,
      p75: r.percentiles.p75 ?? r.p50,
      p95: r.percentiles.p97_5 ?? r.p99,
      p5: r.percentiles.p2_5 ?? r.p50,
    });
    panels.push({
      title: `2. POST /v1/onboardings at ${s.rate}/s${s.workers === 'none' ? ', the API alone' : ''}`,
      unit: 'ms',
      series: [
        { label: 'ours', percentiles: p(s.ours) },
        { label: 'bare (start B0)', percentiles: p(s.bare) },
      ],
    });
  }
  if (results.decision)
    panels.push({
      title: '3. decision → assignment',
      unit: 'ms',
      series: [
        { label: 'ours', values: results.decision.oursMs },
        { label: 'B0', values: results.decision.b0Ms },
      ],
    });
  return boxPlots(panels);
}
