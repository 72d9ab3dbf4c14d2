import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { BenchChild } from '../lib/child';
import { appTargets, cpuBetween, readCpu } from '../lib/cpu';
import type { OursContext } from '../lib/drivers';
import { runVariant, type BenchEnv, type Variant } from '../lib/env';
import { censusOf, type HistoryCensus } from '../lib/history';
import { readWorkCounters } from '../lib/work-counters';

/** What one onboarding costs, one at a time (nothing else in flight), averaged over n of them. */
export interface WorkRow {
  /** Names the code measured: a commit, or what changed (`--label`). */
  label: string;
  variant: Extract<Variant, 'ours' | 'B2' | 'B3' | 'B4'>;
  n: number;
  events: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  upserts: number;
  /** The history as stored (ciphertext included), in bytes of its protobuf encoding. */
  historyBytes: number;
  /** Every statement the process under test sent to PostgreSQL (the API's, the worker's, the driver's reads). */
  statements: number;
  cpuMsApp: number;
  /** With `--apart`, ours' CPU in its API process alone (cpuMsApp is the API and the worker process together). */
  cpuMsApi?: number;
  cpuMsTemporal: number;
  cpuMsPostgres: number;
  /** What the product's own tables grew by (ours: the read model, audit, outbox, mail log…; rows before 2026-12-02 lack it). */
  tableBytes?: number;
  /** Mails the bench's sink received and portal logins its portal served, per onboarding (rows before B3 lack them). */
  mails?: number;
  portalLogins?: number;
}

/**
 * Scenario 8: the work of one onboarding, counted rather than timed under load, so that a change's
 * before and after read the same on a noisy machine: history events by kind, history bytes, SQL
 * statements, and CPU per onboarding with nothing else in flight. Ours beside B2 (B1 with the codec),
 * B3 (B2 with ours' mails and portal login) and B4 (B3 behind the bare endpoints, driven over HTTP).
 */
export async function workPerOnboarding(
  env: BenchEnv,
  ours: { app: BenchChild } | { api: BenchChild; worker: BenchChild },
  baseline: BenchChild,
  ctx: OursContext,
  options: { n: number; label: string },
): Promise<WorkRow[]> {
  const rows: WorkRow[] = [];
  const databases = { temporal: env.server.databases, app: [env.dbName] };
  for (const variant of ['ours', 'B2', 'B3', 'B4'] as const) {
    // Ours as one process (API and worker, as `npm start` runs them) or as an API process and a worker process.
    const children: Record<string, BenchChild> = variant === 'ours' ? ours : { app: baseline };
    const targets = {
      ...appTargets(0, env.server.pid, databases),
      groups: Object.fromEntries(Object.entries(children).map(([name, child]) => [name, [child.pid]])),
    };
    const countAll = async () =>
      (await Promise.all(Object.values(children).map((c) => readWorkCounters(c.process)))).reduce(
        (sum, c) => ({
          statements: sum.statements + c.statements,
          byKind: c.byKind && sum.byKind && mergeKinds(sum.byKind, c.byKind),
        }),
        { statements: 0, byKind: {} },
      );
    const counted = await countAll();
    const bytesBefore = await tableBytes(env);
    const outsideBefore = { mails: env.mail.messages().length, logins: env.portal.logins.length };
    const before = await readCpu(targets);
    const ids: string[] = [];
    for (let i = 0; i < options.n; i++) {
      ids.push((await runVariant(env, ctx, baseline, variant)).workflowId);
    }
    const cpu = cpuBetween(targets, before, await readCpu(targets));
    const after = await countAll();
    const statements = after.statements - counted.statements;
    if (after.byKind)
      for (const [kind, count] of Object.entries(after.byKind)
        .map(([k, c]): [string, number] => [k, (c - (counted.byKind?.[k] ?? 0)) / options.n])
        .filter(([, c]) => c > 0)
        .sort((a, b) => b[1] - a[1]))
        process.stderr.write(`  ${variant} ${count.toFixed(1)} × ${kind}\n`);
    const grown = (await tableBytes(env)) - bytesBefore;
    const histories = await Promise.all(ids.map((id) => storedHistory(env.bareTemporal, id)));
    const mean = (f: (h: StoredHistory) => number) => histories.reduce((sum, h) => sum + f(h), 0) / options.n;
    rows.push({
      label: options.label,
      variant,
      n: options.n,
      events: mean((h) => h.census.events),
      workflowTasks: mean((h) => h.census.workflowTasks),
      activities: mean((h) => h.census.activities),
      localActivities: mean((h) => h.census.markers),
      upserts: mean((h) => h.census.upserts),
      historyBytes: mean((h) => h.bytes),
      statements: statements / options.n,
      cpuMsApp: (cpu.app * 1000) / options.n,
      ...(cpu.groups?.api !== undefined ? { cpuMsApi: (cpu.groups.api * 1000) / options.n } : {}),
      cpuMsTemporal: (cpu.temporal * 1000) / options.n,
      cpuMsPostgres: (cpu.postgres * 1000) / options.n,
      tableBytes: grown / options.n,
      mails: (env.mail.messages().length - outsideBefore.mails) / options.n,
      portalLogins: (env.portal.logins.length - outsideBefore.logins) / options.n,
    });
  }
  return rows;
}

function mergeKinds(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const merged = { ...a };
  for (const [kind, n] of Object.entries(b)) merged[kind] = (merged[kind] ?? 0) + n;
  return merged;
}

/** Every table of the run's database with its indexes and TOAST, in bytes (pages, so coarse for few onboardings). */
async function tableBytes(env: BenchEnv): Promise<number> {
  const { rows } = await env.db.pool.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(oid)), 0) AS bytes FROM pg_class
      WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`,
  );
  return Number(rows[0].bytes);
}

interface StoredHistory {
  census: HistoryCensus;
  bytes: number;
}

/** The history as the server stores it: read without the codec, so its payloads are the ciphertext. */
async function storedHistory(client: Client, workflowId: string): Promise<StoredHistory> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return { census: censusOf(history), bytes: temporal.api.history.v1.History.encode(history).finish().length };
}
