import type { BenchChild } from '../lib/child';
import { onboardingBody, type OursContext } from '../lib/drivers';
import { load, type LoadResult } from '../lib/load';

export interface StartLatency { rate: number; ours: LoadResult; bare: LoadResult }
export interface ReadPath { byId: { ours: LoadResult; bare: LoadResult }; list: { ours: LoadResult; bare: LoadResult } }

const json = { 'content-type': 'application/json' };

/**
 * Scenario 2: POST /v1/onboardings at a fixed offered rate against a bare express endpoint that
 * only starts B0. Each of ours starts a real onboarding (it parks at approval). Both are served by
 * API-only processes, so that the workers running what was started do not share their event loop.
 */
export async function startLatency(app: BenchChild, baseline: BenchChild, ctx: OursContext, options: { rate: number; durationSec: number }): Promise<StartLatency> {
  const auth = { ...json, authorization: `Bearer ${ctx.staffToken}` };
  const approver = ctx.approverEmail;
  const bare = await load({ url: `${baseline.apiUrl}/start`, method: 'POST', headers: json, body: () => JSON.stringify({ decisions: 2, clients: 0, waitTimeoutMs: 3_600_000, writes: false }), durationSec: options.durationSec, connections: 10, rate: options.rate });
  const ours = await load({ url: `${app.apiUrl}/v1/onboardings`, method: 'POST', headers: auth, body: () => JSON.stringify(onboardingBody(approver, undefined)), durationSec: options.durationSec, connections: 10, rate: options.rate });
  return { rate: options.rate, ours, bare };
}

/** Scenario 4: the read path, from the projection, against a bare endpoint reading one row with the same pool. */
export async function readPath(app: BenchChild, baseline: BenchChild, ctx: OursContext, options: { id: string; durationSec: number; connections: number }): Promise<ReadPath> {
  const auth = { authorization: `Bearer ${ctx.staffToken}` };
  const byIdBare = await load({ url: `${baseline.apiUrl}/rows/${options.id}`, durationSec: options.durationSec, connections: options.connections });
  const byIdOurs = await load({ url: `${app.apiUrl}/v1/onboardings/${options.id}`, headers: auth, durationSec: options.durationSec, connections: options.connections });
  const listOurs = await load({ url: `${app.apiUrl}/v1/onboardings?limit=20`, headers: auth, durationSec: options.durationSec, connections: options.connections });
  const listBare = await load({ url: `${baseline.apiUrl}/rows`, durationSec: options.durationSec, connections: options.connections });
  return { byId: { ours: byIdOurs, bare: byIdBare }, list: { ours: listOurs, bare: listBare } };
}
