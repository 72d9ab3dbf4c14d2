import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findTemporalCli } from '../infra/temporal-cli';
import { FILE_PRAGMAS } from '../infra/temporal-dev-server';
import { login, runB4, runBaseline, runOurs, type OursContext } from './lib/drivers';
import type { BenchChild } from './lib/child';
import { historyCensus, inputEncoding } from './lib/history';
import { baselineTarget, createBenchEnv, PORTAL_CREDENTIALS, type BenchEnv } from './lib/env';
import { latencyPlot, renderReport, type BenchResults } from './report';
import { fillListPage, readPath, startLatency, startPhases, untilOursParked } from './scenarios/api';
import { coldStart } from './scenarios/cold-start';
import { decisionLatency } from './scenarios/decision';
import { parked } from './scenarios/parked';
import { scaleOut } from './scenarios/scale-out';
import { throughput, type ThroughputRow } from './scenarios/throughput';
import { workPerOnboarding } from './scenarios/work';
import { searchAttributeCacheText, type SearchAttributeCache, type TemporalChoice } from './lib/temporal-server';

const ROOT = path.join(__dirname, '..');

/**
 * `npm run bench`: every scenario against its baselines, interleaved, on one dev server and one
 * PostgreSQL; writes BENCHMARKS.md (generated whole: the analysis is docs/performance.md, which no
 * run touches) and bench/results/latency.svg. `--smoke` runs each scenario tiny (CI runs it so the
 * harness cannot rot); `--out DIR` writes there instead of the repository. `--temporal cluster` runs
 * scenario 1 on the real Temporal server (infra/temporal-cluster.ts) beside the same load on the dev
 * server, and scenario 7, the scale-out, there: a run of its own, folded in with bench/merge.ts.
 */
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const smoke = flag('smoke');
/**
 * The dev server's SQLite settings for the run: those `npm start` uses (FILE_PRAGMAS, the tuning the
 * first full runs pointed at). `--sqlite-pragmas defaults` runs on the CLI's own, `--sqlite-pragmas
 * a=b,c=d` on others; the tuning section measures the CLI's defaults beside the run's.
 */
const pragmaOption = option('sqlite-pragmas');
const sqlitePragmas =
  pragmaOption === undefined ? FILE_PRAGMAS : pragmaOption === 'defaults' ? [] : pragmaOption.split(',');
/** The dev server's search-attribute cache: the server's default (as production runs) or the CLI's (bench/lib/temporal-server.ts). */
const saCacheOption = option('sa-cache') ?? 'server';
if (saCacheOption !== 'server' && saCacheOption !== 'cli')
  throw new Error(
    `--sa-cache ${saCacheOption}: server (the server's default, cached) or cli (the CLI's, read on every use)`,
  );
const searchAttributeCache: SearchAttributeCache = saCacheOption;
const temporal = option('temporal') ?? 'dev';
if (temporal !== 'dev' && temporal !== 'cluster')
  throw new Error(`--temporal ${temporal}: dev (the CLI's dev server, the default) or cluster (the real server)`);
const onCluster = temporal === 'cluster';
const scenarios = new Set((option('scenarios') ?? (onCluster ? '1,7' : '1,2,3,4,5,6,8')).split(',').map(Number));
if (onCluster && [...scenarios].some((n) => n !== 1 && n !== 7))
  throw new Error('--temporal cluster runs scenarios 1 and 7 (the scale-out); the others run on the dev server');
if (!onCluster && scenarios.has(7))
  throw new Error('scenario 7 (the scale-out) runs on the real server: add --temporal cluster');
const params = smoke
  ? {
      levels: [2],
      perLevel: 3,
      rounds: 1,
      startRates: [5],
      loadSec: 2,
      readRounds: 2,
      phaseSamples: 3,
      decisionSamples: 2,
      parked: [10],
      burstBudgetSec: 120,
      restarts: 1,
      tuning: false,
      workN: 2,
    }
  : {
      levels: (option('levels') ?? '10,25,50').split(',').map(Number),
      perLevel: Number(option('per-level') ?? 60),
      rounds: Number(option('rounds') ?? 1),
      // Well below what this machine sustains for ours (the overhead), near it, and past it (the
      // queueing): see docs/performance.md, scenario 2. 20 s at 2/s is 40 samples.
      startRates: (option('rates') ?? '2,5,20').split(',').map(Number),
      loadSec: Number(option('load-sec') ?? 20),
      // Scenario 4: each endpoint's load-sec split into rounds that alternate with its bare endpoint's.
      readRounds: Number(option('read-rounds') ?? 4),
      phaseSamples: Number(option('phase-samples') ?? 50),
      decisionSamples: Number(option('decision-samples') ?? 30),
      parked: (option('parked') ?? '1000,10000').split(',').map(Number),
      // At this machine's rates 10,000 completions take about an hour per variant: the burst is timed
      // for this long and its completion rate reported with what it implies for all of them.
      burstBudgetSec: Number(option('burst-budget') ?? 600),
      restarts: 3,
      tuning: !flag('no-tuning'),
      // Scenario 8: so many onboardings of each, one at a time.
      workN: Number(option('work-n') ?? 10),
    };

/** How the drivers reach our product: its API, the two people's tokens, the mail sink and the portal. */
async function oursContext(env: BenchEnv, app: BenchChild): Promise<OursContext> {
  return {
    apiUrl: app.apiUrl!,
    staffToken: await login(app.apiUrl!, env.staff.email, env.staff.password),
    approverToken: await login(app.apiUrl!, env.approver.email, env.approver.password),
    approverEmail: env.approver.email,
    mail: env.mail,
    portalUrl: env.portal.url,
    temporal: env.temporal,
    portal: PORTAL_CREDENTIALS,
  };
}

/** What scenario 8's rows are labelled with: `--label`, else the commit measured (and whether it had changes). */
async function codeLabel(): Promise<string> {
  const given = option('label');
  if (given) return given;
  const git = (...a: string[]) =>
    promisify(execFile)('git', a, { cwd: ROOT }).then(
      (r) => r.stdout.trim(),
      () => '',
    );
  const commit = await git('rev-parse', '--short', 'HEAD');
  const dirty = (await git('status', '--porcelain', '--untracked-files=no')) !== '';
  return `${commit || 'unknown'}${dirty ? ' with changes' : ''}`;
}

async function meta(env: BenchEnv) {
  const cpu = /model name\s*:\s*(.*)/.exec(await readFile('/proc/cpuinfo', 'utf8'))?.[1] ?? os.arch();
  const cli = await findTemporalCli({ projectRoot: ROOT });
  const temporalVersion = (await promisify(execFile)(cli, ['--version'])).stdout.trim();
  const pgVersion = (await env.db.pool.query('SHOW server_version')).rows[0].server_version;
  const sdk = JSON.parse(
    await readFile(path.join(ROOT, 'node_modules/@temporalio/worker/package.json'), 'utf8'),
  ).version;
  return {
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    date: new Date().toISOString(),
    machine: `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`,
    versions: {
      'Node.js': process.version,
      'Temporal CLI': temporalVersion,
      'Temporal TypeScript SDK': sdk,
      PostgreSQL: pgVersion,
    },
    sqlite: `file-backed SQLite (--db-filename), pragmas: ${sqlitePragmas.length ? sqlitePragmas.join(', ') : 'the CLI defaults'}; ${searchAttributeCacheText(searchAttributeCache)}`,
    ...(env.server.kind === 'cluster' ? { temporal: env.server.describe } : {}),
    params,
  };
}

/** Three onboardings of each variant, unmeasured (a new process's first calls open connections and compile); the last of each. */
async function warmUp(env: BenchEnv, ctx: OursContext, baseline: BenchChild, say: (text: string) => void) {
  say('warming up');
  let warm = { ours: '', b0: '' };
  for (let i = 0; i < 3; i++) {
    say(`  warm-up ${i}: ours`);
    const ours = await runOurs(ctx);
    say(`  warm-up ${i}: baselines`);
    const b0 = await runBaseline(baselineTarget(env, 'B0'), 'B0');
    await runBaseline(baselineTarget(env, 'B1'), 'B1');
    const b2 = await runBaseline(baselineTarget(env, 'B2'), 'B2');
    await runBaseline(baselineTarget(env, 'B3'), 'B3');
    await runB4(baseline.apiUrl!);
    // Read without the codec: B2's history must hold ciphertext, or its rows would be B1's under another name.
    const encoding = await inputEncoding(env.bareTemporal.workflow.getHandle(b2.workflowId));
    if (encoding !== 'binary/encrypted') throw new Error(`B2 stores its input as ${encoding}, not encrypted`);
    warm = { ours: ours.workflowId, b0: b0.workflowId };
  }
  return warm;
}

/** One scenario failing must not cost the others' figures: it is reported, and the run goes on. */
function attempter(results: Pick<BenchResults, 'failures'>, say: (text: string) => void) {
  return async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      // fetch's own message ("fetch failed") says nothing: its cause does.
      const cause = (err as Error).cause as Error | undefined;
      const message = `${(err as Error).message}${cause ? ` (${cause.message})` : ''}`;
      say(`${name} failed: ${message}\n${(err as Error).stack}`);
      (results.failures ??= []).push(`${name}: ${message}`);
    }
  };
}

/**
 * `--temporal cluster`: scenario 1 on the dev server and then on the real server (PostgreSQL, 4
 * history shards, mTLS), the same load, ours and the baselines each on both; then scenario 7, the
 * scale-out, on the real server. Writes a results.json of its own (the `cluster` section), for
 * bench/merge.ts to fold into the repository's.
 */
async function onTheCluster(out: string): Promise<void> {
  const say = (text: string) => process.stderr.write(`${text}\n`);
  const cluster: NonNullable<BenchResults['cluster']> = { server: '' };
  const partial: Omit<BenchResults, 'meta'> & { meta?: BenchResults['meta'] } = { cluster };
  const attempt = attempter(partial, say);
  const record = (kind: TemporalChoice['kind'], rows: ThroughputRow[]) =>
    void (kind === 'dev' ? (cluster.devServer ??= []) : (cluster.throughput ??= [])).push(...rows);
  /** Scenario 1 for so many rounds on one server, then `then` with the product's and the baselines' processes stopped. */
  const onServer = async (
    choice: TemporalChoice,
    rounds: number,
    then?: (env: BenchEnv, ctx: OursContext) => Promise<void>,
  ) => {
    const env = await createBenchEnv({ temporal: choice });
    let app: BenchChild | undefined;
    let baseline: BenchChild | undefined;
    try {
      if (choice.kind === 'cluster' && !partial.meta) {
        partial.meta = await meta(env);
        cluster.server = env.server.describe;
      }
      app = await env.startApp();
      baseline = await env.startBaseline();
      const ctx = await oursContext(env, app);
      await warmUp(env, ctx, baseline, say);
      if (rounds > 0) {
        say(`1. throughput on ${choice.kind === 'dev' ? 'the dev server' : 'the real server'}`);
        const opts = { levels: params.levels, perLevel: params.perLevel, rounds };
        await attempt(`1. throughput on ${choice.kind === 'dev' ? 'the dev server' : 'the real server'}`, async () =>
          record(choice.kind, await throughput(env, app!, baseline!, ctx, opts)),
        );
      }
      // The scale-out runs processes of its own: these would idle beside them.
      await app.stop();
      await baseline.stop();
      await then?.(env, ctx);
    } finally {
      await app?.stop().catch(() => undefined);
      await baseline?.stop().catch(() => undefined);
      await env.close();
    }
  };
  // Scenario 1 on both servers in this run, the same levels, in rounds ordered dev, real, real, dev, dev, …: a
  // machine whose other load drifts over the run then weighs on both alike.
  const visits: { kind: TemporalChoice['kind']; rounds: number }[] = [];
  const kinds: TemporalChoice['kind'][] = scenarios.has(1)
    ? Array.from({ length: params.rounds }, (_, r): TemporalChoice['kind'][] =>
        r % 2 === 0 ? ['dev', 'cluster'] : ['cluster', 'dev'],
      ).flat()
    : ['cluster'];
  for (const kind of kinds) {
    const last = visits[visits.length - 1];
    if (last?.kind === kind) last.rounds++;
    else visits.push({ kind, rounds: scenarios.has(1) ? 1 : 0 });
  }
  let scaledOut = false;
  for (const visit of visits) {
    const choice: TemporalChoice =
      visit.kind === 'dev' ? { kind: 'dev', sqlitePragmas, searchAttributeCache } : { kind: 'cluster' };
    // The scale-out on the first visit to the real server, after its rounds of scenario 1.
    const then =
      visit.kind === 'cluster' && scenarios.has(7) && !scaledOut
        ? async (env: BenchEnv, ctx: OursContext) => {
            scaledOut = true;
            say('7. scale-out on the real server');
            const opts = { levels: params.levels, perLevel: params.perLevel, rounds: params.rounds };
            await attempt('7. scale-out', () =>
              scaleOut(env, ctx, { ...opts, say, record: (row) => (cluster.scaleOut ??= []).push(row) }),
            );
          }
        : undefined;
    await attempt(visit.kind === 'dev' ? 'the dev server' : 'the real server', () =>
      onServer(choice, visit.rounds, then),
    );
  }
  const { meta: measured, ...rest } = partial;
  if (!measured) throw new Error(`the real server did not run: ${(partial.failures ?? []).join('; ')}`);
  await writeOutputs(out, { meta: measured, ...rest });
}

async function main(): Promise<void> {
  const out = path.resolve(option('out') ?? ROOT);
  if (onCluster) return onTheCluster(out);
  const env = await createBenchEnv({ sqlitePragmas, searchAttributeCache });
  const app = await env.startApp();
  const baseline = await env.startBaseline();
  try {
    const ctx = await oursContext(env, app);
    const results: BenchResults = { meta: await meta(env) };
    const say = (text: string) => process.stderr.write(`${text}\n`);
    const attempt = attempter(results, say);
    const warm = await warmUp(env, ctx, baseline, say);
    // What one onboarding costs the server, next to B0's: the cost model's unit (the last warm-up of each).
    results.census = {
      ours: await historyCensus(ctx.temporal.workflow.getHandle(warm.ours)),
      B0: await historyCensus(env.bareTemporal.workflow.getHandle(warm.b0)),
    };
    if (scenarios.has(8)) {
      say('8. work per onboarding');
      await attempt('8. work per onboarding', async () => {
        const label = await codeLabel();
        if (!flag('apart')) {
          results.work = await workPerOnboarding(env, { app }, baseline, ctx, { n: params.workN, label });
          return;
        }
        // `--apart`: ours as an API process and a worker process on a task queue of their own, to read the API's share.
        const apart = { TEMPORAL_TASK_QUEUE: 'bench-apart' };
        const api = await env.startApp({ ...apart, BENCH_NO_WORKER: '1' });
        const worker = await env.startApp({ ...apart, BENCH_NO_API: '1' });
        try {
          const apartCtx = await oursContext(env, api);
          await runOurs(apartCtx); // unmeasured: the new processes' first calls open connections and compile
          results.work = await workPerOnboarding(env, { api, worker }, baseline, apartCtx, {
            n: params.workN,
            label: `${label}, apart`,
          });
        } finally {
          await api.stop();
          await worker.stop();
        }
      });
    }
    if (scenarios.has(1)) {
      say('1. throughput');
      await attempt(
        '1. throughput',
        async () => void (results.throughput = await throughput(env, app, baseline, ctx, params)),
      );
    }
    if (scenarios.has(3)) {
      say('3. decision latency');
      await attempt(
        '3. decision latency',
        async () => void (results.decision = await decisionLatency(env, ctx, params.decisionSamples)),
      );
    }
    if (scenarios.has(4)) {
      say('4. read path');
      await attempt('4. read path', async () => {
        const { rows } = await env.db.pool.query<{ id: string }>(
          "SELECT id FROM onboardings WHERE status = 'COMPLETED' LIMIT 1",
        );
        await fillListPage(env.db.pool, rows[0].id);
        results.readPath = await readPath(app, baseline, ctx, {
          id: rows[0].id,
          durationSec: params.loadSec,
          connections: 10,
          rounds: params.readRounds,
        });
      });
    }
    if (scenarios.has(2)) {
      say('2. start latency');
      await attempt('2. start latency', async () => {
        results.startLatency = [];
        // First on queues nothing polls (the API alone), then with the workers running what is started:
        // the other order would measure the API alone beside the workers' backlog.
        const unpolled = {
          ours: { TEMPORAL_TASK_QUEUE: 'bench-unpolled' },
          bare: { BENCH_BASELINE_QUEUE: 'bench-unpolled-b0' },
        };
        for (const workers of ['none', 'running'] as const) {
          const q = workers === 'none' ? unpolled : { ours: {}, bare: {} };
          const [oursApi, bareApi] = [
            await env.startApp({ BENCH_NO_WORKER: '1', ...q.ours }),
            await env.startBaseline({ BENCH_NO_WORKER: '1', ...q.bare }),
          ];
          try {
            if (workers === 'none') results.startPhases = await startPhases(oursApi, bareApi, ctx, params.phaseSamples);
            for (const rate of params.startRates) {
              const since = new Date();
              results.startLatency.push(
                await startLatency(oursApi, bareApi, ctx, { rate, durationSec: params.loadSec, workers }),
              );
              if (workers === 'running') await untilOursParked(env.db.pool, since);
            }
          } finally {
            await oursApi.stop();
            await bareApi.stop();
          }
        }
      });
    }
    // Scenario 5 brings worker-only processes of its own; these would share their task queues.
    await app.stop();
    await baseline.stop();
    if (scenarios.has(6)) {
      say('6. cold start');
      await attempt(
        '6. cold start',
        async () => void (results.coldStart = await coldStart(env, params.restarts, { npmStart: !smoke })),
      );
    }
    if (params.tuning && results.throughput) {
      say('tuning: the same throughput level on other SQLite pragmas');
      await attempt(
        'tuning',
        async () =>
          void (results.tuning = await tune(
            params.levels[1] ?? params.levels[0],
            params.perLevel,
            results.throughput!,
          )),
      );
    }
    // Last: a burst cut short by its budget leaves onboardings unfinished on this dev server.
    if (scenarios.has(5)) {
      results.parked = [];
      for (const n of params.parked) {
        say(`5. ${n} parked`);
        // Each variant's row is kept as soon as it is measured: a failure later in the scenario loses only its own.
        await attempt(`5. ${n} parked`, () =>
          parked(env, ctx, n, params.burstBudgetSec * 1000, (row) => results.parked!.push(row)),
        );
      }
    }
    await writeOutputs(out, results);
  } finally {
    await app.stop().catch(() => undefined);
    await baseline.stop().catch(() => undefined);
    await env.close();
  }
}

/**
 * The same throughput level again on a dev server with the other SQLite settings (the CLI's defaults
 * when the run was tuned, the tuning when it was not): the before and after of that tuning.
 */
async function tune(level: number, perLevel: number, run: BenchResults['throughput'] & object) {
  const other = sqlitePragmas.length > 0 ? [] : FILE_PRAGMAS;
  const env = await createBenchEnv({ sqlitePragmas: other, searchAttributeCache });
  const app = await env.startApp();
  const baseline = await env.startBaseline();
  try {
    const ctx = await oursContext(env, app);
    await runOurs(ctx);
    const measured = await throughput(env, app, baseline, ctx, { levels: [level], perLevel, rounds: 1 });
    const ofRun = run.filter((r) => r.inFlight === level);
    const name = (pragmas: string[]) => (pragmas.length ? pragmas.join(', ') : 'the CLI defaults');
    return other.length > 0
      ? {
          label: `dev-server SQLite pragmas, ${name([])} → ${name(other)} (${level} in flight)`,
          before: ofRun,
          after: measured,
        }
      : {
          label: `dev-server SQLite pragmas, ${name([])} → ${name(sqlitePragmas)} (${level} in flight)`,
          before: measured,
          after: ofRun,
        };
  } finally {
    await app.stop();
    await baseline.stop();
    await env.close();
  }
}

async function writeOutputs(out: string, results: BenchResults): Promise<void> {
  await mkdir(path.join(out, 'bench', 'results'), { recursive: true });
  await writeFile(path.join(out, 'bench', 'results', 'latency.svg'), latencyPlot(results));
  await writeFile(path.join(out, 'bench', 'results', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const report = renderReport(results);
  await writeFile(path.join(out, 'BENCHMARKS.md'), `${report}\n`);
  process.stdout.write(`${report}\n`);
}

// Exits once the report is written: a client call the budget abandoned may still have a retry timer
// pending, which would otherwise fire on the closed connection ("Channel has been shut down").
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
