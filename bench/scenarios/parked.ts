import type { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import type { BenchChild } from '../lib/child';
import { withConcurrency } from '../lib/concurrency';
import { approve, onboardingBody, type OursContext } from '../lib/drivers';
import type { BenchEnv } from '../lib/env';
import { rssMiB } from '../lib/proc';

export interface ParkedRow {
  n: number;
  variant: 'B0' | 'ours';
  rssBeforeMiB: number;
  rssParkedMiB: number;
  kibPerParked: number;
  startSeconds: number;
  burstToAllCompletedSeconds: number;
  workflowTaskTimeouts: number;
  sampledHistories: number;
}

const settle = () => new Promise((r) => setTimeout(r, 3_000));

/** Counts WORKFLOW_TASK_TIMED_OUT in a sample of histories (the dev server has no cheap global count). */
async function taskTimeouts(client: Client, workflowIds: string[], sample: number): Promise<number> {
  const picked = workflowIds.filter((_, i) => i % Math.max(1, Math.floor(workflowIds.length / sample)) === 0).slice(0, sample);
  let timeouts = 0;
  for (const id of picked) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    timeouts += (history.events ?? []).filter((e) => String(e.eventType) === 'WORKFLOW_TASK_TIMED_OUT' || Number(e.eventType) === 8).length;
  }
  return timeouts;
}

/**
 * Scenario 5: N onboardings parked at approval (no clients), memory per parked onboarding against
 * B0 parked at its first signal; then every approval in a burst, until all have completed.
 */
export async function parked(env: BenchEnv, app: BenchChild, baseline: BenchChild, ctx: OursContext, n: number): Promise<ParkedRow[]> {
  const rows: ParkedRow[] = [];

  // B0
  const b0Before = await rssMiB(baseline.pid);
  let t0 = Date.now();
  const queue = env.baselineEnv.BENCH_BASELINE_QUEUE!;
  const b0Ids = await withConcurrency(n, 50, async () => {
    const id = `park-b0-${randomBytes(6).toString('hex')}`;
    await env.bareTemporal.workflow.start('baselineWorkflow', { taskQueue: queue, workflowId: id, args: [{ decisions: 2, clients: 0, waitTimeoutMs: 3_600_000, writes: false }] });
    return id;
  });
  const b0Start = (Date.now() - t0) / 1000;
  await settle();
  const b0Parked = await rssMiB(baseline.pid);
  t0 = Date.now();
  await withConcurrency(n, 50, async (i) => {
    const handle = env.bareTemporal.workflow.getHandle(b0Ids[i]);
    await handle.signal('decide');
    await handle.signal('decide');
  });
  await withConcurrency(n, 200, (i) => env.bareTemporal.workflow.getHandle(b0Ids[i]).result());
  rows.push({ n, variant: 'B0', rssBeforeMiB: b0Before, rssParkedMiB: b0Parked, kibPerParked: ((b0Parked - b0Before) * 1024) / n, startSeconds: b0Start, burstToAllCompletedSeconds: (Date.now() - t0) / 1000, workflowTaskTimeouts: await taskTimeouts(env.bareTemporal, b0Ids, 50), sampledHistories: Math.min(50, n) });

  // ours
  const before = await rssMiB(app.pid);
  t0 = Date.now();
  const started = await withConcurrency(n, 20, async () => {
    const res = await fetch(`${ctx.apiUrl}/v1/onboardings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.staffToken}` },
      body: JSON.stringify(onboardingBody(ctx.approverEmail, undefined)),
    });
    if (res.status !== 202) throw new Error(`start failed: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; workflowId: string };
  });
  const startSeconds = (Date.now() - t0) / 1000;
  await settle();
  const parkedRss = await rssMiB(app.pid);
  t0 = Date.now();
  await withConcurrency(n, 50, async (i) => {
    await approve(ctx, started[i].id, 'ORDER_MANAGEMENT');
    await approve(ctx, started[i].id, 'INVOICING');
  });
  // All done when the read model says so for every one of them (as staff would see it).
  const ids = started.map((s) => s.id);
  for (;;) {
    const { rows: done } = await env.db.pool.query<{ count: string }>("SELECT count(*) FROM onboardings WHERE id = ANY($1) AND status = 'COMPLETED'", [ids]);
    if (Number(done[0].count) === n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  rows.push({ n, variant: 'ours', rssBeforeMiB: before, rssParkedMiB: parkedRss, kibPerParked: ((parkedRss - before) * 1024) / n, startSeconds, burstToAllCompletedSeconds: (Date.now() - t0) / 1000, workflowTaskTimeouts: await taskTimeouts(env.temporal, started.map((s) => s.workflowId), 50), sampledHistories: Math.min(50, n) });
  return rows;
}
