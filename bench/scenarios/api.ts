import type { Pool } from 'pg';
import type { BenchChild } from '../lib/child';
import { onboardingBody, type OursContext } from '../lib/drivers';
import { load, type LoadResult } from '../lib/load';

/** workers: 'none' when nothing polls the queues the endpoints start on (the API alone; absent in older results: running). */
export interface StartLatency {
  rate: number;
  workers?: 'running' | 'none';
  ours: LoadResult;
  bare: LoadResult;
}
export interface ReadPath {
  byId: ReadPair;
  list: ReadPair;
}
/** roundRatios: ours over bare in each round (absent in results from before the rounds alternated). */
export interface ReadPair {
  ours: LoadResult;
  bare: LoadResult;
  roundRatios?: number[];
}

const json = { 'content-type': 'application/json' };

/** One start request of either endpoint; body() makes a fresh one each time (ours: a new tenant). */
interface StartRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: () => string;
}

/** The same start, to ours and to the bare endpoint (B0 parks at its decisions, as ours at approval). */
function startRequests(
  app: BenchChild,
  baseline: BenchChild,
  ctx: OursContext,
): { ours: StartRequest; bare: StartRequest } {
  return {
    ours: {
      url: `${app.apiUrl}/v1/onboardings`,
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${ctx.staffToken}` },
      body: () => JSON.stringify(onboardingBody(ctx.approverEmail, undefined)),
    },
    bare: {
      url: `${baseline.apiUrl}/start`,
      method: 'POST',
      headers: json,
      body: () => JSON.stringify({ decisions: 2, clients: 0, waitTimeoutMs: 3_600_000, writes: false }),
    },
  };
}

/**
 * Scenario 2: POST /v1/onboardings at a fixed offered rate against a bare express endpoint that
 * only starts B0. Each of ours starts a real onboarding (it parks at approval). Both are served by
 * API-only processes, so that the workers running what was started do not share their event loop;
 * with workers 'none' the processes start on queues nothing polls, so the figures are the
 * endpoints' own, without the started workflows' work on the same two cores. Each endpoint first
 * answers a few unmeasured starts: a new process's first calls open its connections and compile.
 */
export async function startLatency(
  app: BenchChild,
  baseline: BenchChild,
  ctx: OursContext,
  options: { rate: number; durationSec: number; workers: 'running' | 'none' },
): Promise<StartLatency> {
  const { ours: oursStart, bare: bareStart } = startRequests(app, baseline, ctx);
  await warmUp(bareStart);
  const bare = await load({ ...bareStart, durationSec: options.durationSec, connections: 10, rate: options.rate });
  await warmUp(oursStart);
  const ours = await load({ ...oursStart, durationSec: options.durationSec, connections: 10, rate: options.rate });
  return { rate: options.rate, workers: options.workers, ours, bare };
}

/**
 * Waits until every onboarding started since `since` has reached its approval (none RUNNING), so
 * that the next rate starts on an idle worker. Those started on a queue nothing polls stay RUNNING:
 * they are older.
 */
export async function untilOursParked(pool: Pool, since: Date, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM onboardings WHERE status = 'RUNNING' AND created_at >= $1",
      [since],
    );
    if (Number(rows[0].n) === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`onboardings still RUNNING after ${timeoutMs / 1000} s`);
}

async function warmUp(request: StartRequest, times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await timedPost(request);
}

/** One start at a time: client-side times of ours and of the bare endpoint, and ours' own phases (Server-Timing). */
export interface StartPhases {
  oursMs: number[];
  bareMs: number[];
  phases: Record<string, number[]>;
}

/**
 * Scenario 2's breakdown: starts one at a time, ours and bare alternately, on processes whose queues
 * nothing polls, so that each figure is the endpoint's own work and its one Temporal call.
 */
export async function startPhases(
  app: BenchChild,
  baseline: BenchChild,
  ctx: OursContext,
  samples: number,
): Promise<StartPhases> {
  const out: StartPhases = { oursMs: [], bareMs: [], phases: {} };
  const { ours: oursStart, bare: bareStart } = startRequests(app, baseline, ctx);
  await warmUp(bareStart);
  await warmUp(oursStart);
  for (let i = 0; i < samples; i++) {
    const ours = await timedPost(oursStart);
    out.oursMs.push(ours.ms);
    for (const part of (ours.res.headers.get('server-timing') ?? '').split(', ')) {
      const [, name, ms] = /^(\w+);dur=([\d.]+)$/.exec(part) ?? [];
      if (name) (out.phases[name] ??= []).push(Number(ms));
    }
    out.bareMs.push((await timedPost(bareStart)).ms);
  }
  return out;
}

async function timedPost(request: StartRequest) {
  const body = request.body();
  const t0 = performance.now();
  const res = await fetch(request.url, { method: request.method, headers: request.headers, body });
  const answer = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${request.url}: HTTP ${res.status} ${answer}`);
  return { res, ms };
}

/** The list's page size in scenario 4, as `?limit=20` asks and the bare endpoint reads. */
export const LIST_PAGE = 20;

/**
 * Makes the read model hold at least a page of onboardings, copies of a completed one under new ids, so that
 * scenario 4 lists a full page when it runs alone (after scenario 1 the table holds hundreds; alone, only the
 * warm-ups). Both endpoints read the same table; the copies are read-model rows only, with no workflow.
 */
export async function fillListPage(pool: Pool, completedId: string): Promise<void> {
  await pool.query(
    `WITH ids AS (
       SELECT gen_random_uuid() AS id, g
         FROM generate_series(1, greatest(0, $2 - (SELECT count(*) FROM onboardings))::int) g)
     INSERT INTO onboardings (id, workflow_id, first_run_id, partner_provided_id, status, view, version, started_by,
                              notify_email, created_at, updated_at)
     SELECT ids.id, o.workflow_id || ':copy:' || ids.g, o.first_run_id, o.partner_provided_id, o.status,
            jsonb_set(o.view, '{id}', to_jsonb(ids.id::text)), o.version, o.started_by, o.notify_email, now(), now()
       FROM onboardings o, ids
      WHERE o.id = $1`,
    [completedId, LIST_PAGE],
  );
}

/**
 * Scenario 4: the read path, from the projection, against a bare endpoint reading one row with the same pool.
 * Each pair is measured in short rounds that alternate which goes first (bare, ours; ours, bare; …), since
 * this machine's speed drifts by half within a minute: one long phase each compared two different machines.
 */
export async function readPath(
  app: BenchChild,
  baseline: BenchChild,
  ctx: OursContext,
  options: { id: string; durationSec: number; connections: number; rounds: number },
): Promise<ReadPath> {
  const auth = { authorization: `Bearer ${ctx.staffToken}` };
  const pair = (ours: string, bare: string) =>
    alternating(
      { url: `${app.apiUrl}${ours}`, headers: auth },
      { url: `${baseline.apiUrl}${bare}` },
      { ...options, durationSec: options.durationSec / options.rounds },
    );
  return {
    byId: await pair(`/v1/onboardings/${options.id}`, `/rows/${options.id}`),
    list: await pair(`/v1/onboardings?limit=${LIST_PAGE}`, '/rows'),
  };
}

/** Rounds of both endpoints, each round's order the other way round from the last; requests pooled. */
async function alternating(
  ours: { url: string; headers?: Record<string, string> },
  bare: { url: string },
  options: { durationSec: number; connections: number; rounds: number },
): Promise<ReadPair> {
  const runs = { ours: [] as LoadResult[], bare: [] as LoadResult[] };
  const run = async (which: 'ours' | 'bare') =>
    runs[which].push(await load({ ...(which === 'ours' ? ours : bare), ...options }));
  for (let round = 0; round < options.rounds; round++) {
    for (const which of round % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) await run(which);
  }
  return {
    ours: pooled(runs.ours),
    bare: pooled(runs.bare),
    roundRatios: runs.ours.map((o, i) => o.rps / runs.bare[i].rps),
  };
}

/** Requests per second over all rounds; latencies the median round's. */
function pooled(runs: LoadResult[]): LoadResult {
  const byP50 = [...runs].sort((a, b) => a.p50 - b.p50);
  const middle = byP50[Math.floor(byP50.length / 2)];
  const sum = (pick: (r: LoadResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  return {
    ...middle,
    rps: sum((r) => r.rps) / runs.length,
    requests: sum((r) => r.requests),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
  };
}
