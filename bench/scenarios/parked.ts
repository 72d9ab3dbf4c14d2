import type { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { Agent } from 'undici';
import { withConcurrency } from '../lib/concurrency';
import { approve, onboardingBody, runBaseline, runOurs, startOnboarding, type OursContext } from '../lib/drivers';
import { BASELINE_WORKER_ONLY, type BenchEnv } from '../lib/env';
import { rssMiB } from '../lib/proc';

export interface ParkedRow {
  n: number;
  variant: 'B0' | 'ours';
  rssBeforeMiB: number;
  rssParkedMiB: number;
  kibPerParked: number;
  /** From the first start until all N are parked (no task pending), not until the last start returned. */
  startSeconds: number;
  /** Until every one completed, or until the burst budget ran out (completed < n). */
  burstSeconds: number;
  completed: number;
  workflowTaskTimeouts: number;
  sampledHistories: number;
}

const settle = () => new Promise((r) => setTimeout(r, 3_000));
const WARM_UP_RUNS = 3;

/** Counts WORKFLOW_TASK_TIMED_OUT in a sample of histories (the dev server has no cheap global count). */
async function taskTimeouts(client: Client, workflowIds: string[], sample: number): Promise<number> {
  const picked = workflowIds
    .filter((_, i) => i % Math.max(1, Math.floor(workflowIds.length / sample)) === 0)
    .slice(0, sample);
  let timeouts = 0;
  for (const id of picked) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    timeouts += (history.events ?? []).filter(
      (e) => String(e.eventType) === 'WORKFLOW_TASK_TIMED_OUT' || Number(e.eventType) === 8,
    ).length;
  }
  return timeouts;
}

/**
 * A start returns before the worker has run the workflow's first tasks: memory is read only once every
 * one is parked, with no workflow task and no activity pending (the dev server's own description).
 * Nothing wakes a parked one, so each is asked about until it is parked and never again: about N
 * descriptions in all, not N per round (which loaded the dev server enough to slow the parking down).
 */
async function untilParked(client: Client, workflowIds: string[]): Promise<void> {
  await withConcurrency(workflowIds.length, 20, async (i) => {
    for (;;) {
      const { raw } = await client.workflow.getHandle(workflowIds[i]).describe();
      if (!raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0) return;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  });
}

/** RSS after the settle, and the gain over a warmed-up worker's, per parked workflow. */
async function memory(pid: number, before: number, n: number) {
  await settle();
  const parkedRss = await rssThenSnapshots(pid);
  return { rssBeforeMiB: before, rssParkedMiB: parkedRss, kibPerParked: ((parkedRss - before) * 1024) / n };
}

/** The RSS reading first: a snapshot itself grows the process (BENCH_HEAP_SNAPSHOTS; see bench/heap-summary.ts). */
async function rssThenSnapshots(pid: number): Promise<number> {
  const rss = await rssMiB(pid);
  await heapSnapshots(pid);
  return rss;
}

const snapshotsTaken = new Map<number, number>();
/** With BENCH_HEAP_SNAPSHOTS=DIR, asks the process for heap snapshots of all its threads and waits for them. */
async function heapSnapshots(pid: number): Promise<void> {
  const dir = process.env.BENCH_HEAP_SNAPSHOTS;
  if (!dir) return;
  const seq = snapshotsTaken.get(pid) ?? 0;
  snapshotsTaken.set(pid, seq + 1);
  process.kill(pid, 'SIGWINCH');
  const done = path.join(dir, `${pid}-${seq}.done`);
  while (!existsSync(done)) await new Promise((r) => setTimeout(r, 500));
}

/**
 * Scenario 5: N onboardings parked at approval (no clients), memory per parked onboarding against
 * B0 parked at its first signal; then every approval in a burst, until all have completed. Each
 * variant runs in a fresh worker-only process, warmed up alike, so that what its RSS gains is the
 * parked workflows' own: not the API's (ours are started through a separate API process, as B0's
 * are started by the driver) and not an earlier scenario's.
 */
export async function parked(
  env: BenchEnv,
  ctx: OursContext,
  n: number,
  burstBudgetMs: number,
  record: (row: ParkedRow) => void,
): Promise<void> {
  const budgetOver = (deadline: number) =>
    new Promise<false>((r) => setTimeout(() => r(false), Math.max(0, deadline - Date.now())));
  const queue = env.baselineEnv.BENCH_BASELINE_QUEUE!;

  // B0
  const b0Worker = await env.startBaseline(BASELINE_WORKER_ONLY);
  try {
    for (let i = 0; i < WARM_UP_RUNS; i++) await runBaseline({ temporal: env.bareTemporal, taskQueue: queue }, 'B0');
    const before = await rssThenSnapshots(b0Worker.pid);
    let t0 = Date.now();
    const b0Ids = await withConcurrency(n, 50, async () => {
      const id = `park-b0-${randomBytes(6).toString('hex')}`;
      await env.bareTemporal.workflow.start('baselineWorkflow', {
        taskQueue: queue,
        workflowId: id,
        args: [{ decisions: 2, clients: 0, waitTimeoutMs: 3_600_000, writes: false }],
      });
      return id;
    });
    await untilParked(env.bareTemporal, b0Ids);
    const startSeconds = (Date.now() - t0) / 1000;
    const mem = await memory(b0Worker.pid, before, n);
    t0 = Date.now();
    const deadline = t0 + burstBudgetMs;
    const signalled = await withConcurrency(
      n,
      50,
      async (i) => {
        const handle = env.bareTemporal.workflow.getHandle(b0Ids[i]);
        await handle.signal('decide');
        await handle.signal('decide');
        return true;
      },
      deadline,
    );
    // Waits still open when the budget runs out are aborted, not left polling a server about to stop.
    const abort = new AbortController();
    setMaxListeners(0, abort.signal); // one listener per wait in flight, by design
    const finished = await withConcurrency(n, 200, async (i) => {
      if (!signalled[i]) return false;
      const result = env.bareTemporal.withAbortSignal(abort.signal, () =>
        env.bareTemporal.workflow.getHandle(b0Ids[i]).result(),
      );
      return Promise.race([
        result.then(
          () => true,
          () => false,
        ),
        budgetOver(deadline),
      ]);
    });
    abort.abort();
    const completed = finished.filter(Boolean).length;
    const burst = (Math.min(Date.now(), deadline) - t0) / 1000;
    record({
      n,
      variant: 'B0',
      ...mem,
      startSeconds,
      burstSeconds: burst,
      completed,
      workflowTaskTimeouts: await taskTimeouts(env.bareTemporal, b0Ids, 50),
      sampledHistories: Math.min(50, n),
    });
  } finally {
    await b0Worker.stop();
  }

  // ours
  const api = await env.startApp({ BENCH_NO_WORKER: '1' });
  const worker = await env.startApp({ BENCH_NO_API: '1', PUBLIC_URL: api.apiUrl });
  try {
    const via = { ...ctx, apiUrl: api.apiUrl! };
    for (let i = 0; i < WARM_UP_RUNS; i++) await runOurs(via);
    const before = await rssThenSnapshots(worker.pid);
    let t0 = Date.now();
    const started = await withConcurrency(n, 20, () =>
      startOnboarding(via, onboardingBody(via.approverEmail, undefined)),
    );
    await untilParked(
      env.temporal,
      started.map((s) => s.workflowId),
    );
    const startSeconds = (Date.now() - t0) / 1000;
    const mem = await memory(worker.pid, before, n);
    t0 = Date.now();
    const deadline = t0 + burstBudgetMs;
    // An approval queues behind the burst's other workflow tasks; the budget, not a header timeout, bounds the wait.
    const patient = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
    const approving = withConcurrency(
      n,
      50,
      async (i) => {
        await approve(via, started[i].id, 'ORDER_MANAGEMENT', patient);
        await approve(via, started[i].id, 'INVOICING', patient);
      },
      deadline,
    );
    // All done when the read model says so for every one of them (as staff would see it).
    const ids = started.map((s) => s.id);
    let completed = 0;
    while (completed < n && Date.now() < deadline) {
      const { rows: done } = await env.db.pool.query<{ count: string }>(
        "SELECT count(*) FROM onboardings WHERE id = ANY($1) AND status = 'COMPLETED'",
        [ids],
      );
      completed = Number(done[0].count);
      if (completed < n) await new Promise((r) => setTimeout(r, 100));
    }
    const burst = (Math.min(Date.now(), deadline) - t0) / 1000;
    // Approvals still waiting on their Update when the budget ran out are not waited for (under a
    // 10,000 burst one can take minutes); they fail when the API process stops, and that is expected.
    if (completed === n) await approving;
    else approving.catch(() => undefined);
    void patient.close().catch(() => undefined);
    record({
      n,
      variant: 'ours',
      ...mem,
      startSeconds,
      burstSeconds: burst,
      completed,
      workflowTaskTimeouts: await taskTimeouts(
        env.temporal,
        started.map((s) => s.workflowId),
        50,
      ),
      sampledHistories: Math.min(50, n),
    });
  } finally {
    await api.stop();
    await worker.stop();
  }
}
