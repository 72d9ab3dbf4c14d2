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
  byId: { ours: LoadResult; bare: LoadResult };
  list: { ours: LoadResult; bare: LoadResult };
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

/** Scenario 4: the read path, from the projection, against a bare endpoint reading one row with the same pool. */
export async function readPath(
  app: BenchChild,
  baseline: BenchChild,
  ctx: OursContext,
  options: { id: string; durationSec: number; connections: number },
): Promise<ReadPath> {
  const auth = { authorization: `Bearer ${ctx.staffToken}` };
  const byIdBare = await load({
    url: `${baseline.apiUrl}/rows/${options.id}`,
    durationSec: options.durationSec,
    connections: options.connections,
  });
  const byIdOurs = await load({
    url: `${app.apiUrl}/v1/onboardings/${options.id}`,
    headers: auth,
    durationSec: options.durationSec,
    connections: options.connections,
  });
  const listOurs = await load({
    url: `${app.apiUrl}/v1/onboardings?limit=20`,
    headers: auth,
    durationSec: options.durationSec,
    connections: options.connections,
  });
  const listBare = await load({
    url: `${baseline.apiUrl}/rows`,
    durationSec: options.durationSec,
    connections: options.connections,
  });
  return { byId: { ours: byIdOurs, bare: byIdBare }, list: { ours: listOurs, bare: listBare } };
}
