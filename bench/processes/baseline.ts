import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { createPool } from '../../db/pool';
import { listen } from '../../api/server';
import { createLogger, type Logger } from '../../lib/logger';
import { createMailer } from '../../notify/mailer';
import type { MasterKeys } from '../../lib/master-keys';
import { createPayloadCodec } from '../../lib/payload-codec';
import { temporalConnectionFromEnv } from '../../lib/temporal-env';
import { installTemporalRuntime } from '../../worker/temporal-runtime';
import { createBaselineActivities, type OutsideWork } from '../baseline-activities';
import { installHeapSnapshots } from '../lib/heap-snapshots';
import { installWorkCounters } from '../lib/work-counters';

/**
 * The baselines in a process of their own: a worker for B0/B1, one for B2 (B1 with the product's payload
 * codec, on BENCH_BASELINE_CODEC_QUEUE) and a bare express app whose endpoints make the one call ours
 * make (start a workflow; read one row with the same pool), nothing else, with B4's endpoints beside them.
 * BENCH_NO_API runs the workers alone and BENCH_NO_WORKER the endpoints alone, like the app process.
 */
async function main(): Promise<void> {
  const t0 = Date.now();
  const log = createLogger({ level: 'warn' });
  installTemporalRuntime(log);
  if (process.env.BENCH_HEAP_SNAPSHOTS) installHeapSnapshots(process.env.BENCH_HEAP_SNAPSHOTS);
  installWorkCounters();
  // The product's connection settings (TEMPORAL_*: address, namespace, mTLS), so that B0 reaches the server as ours does.
  const { options: connection, namespace = 'default' } = temporalConnectionFromEnv(process.env);
  const taskQueue = process.env.BENCH_BASELINE_QUEUE!;
  const pool = createPool(process.env.DATABASE_URL!, log);
  // B3 (B2 with the mails and the portal login ours makes) runs on B2's worker.
  const outside = outsideWorkFromEnv(log);
  const workerFor = async (
    queue: string,
    dataConverter?: { payloadCodecs: [PayloadCodec] },
    outsideWork?: OutsideWork,
  ) =>
    Worker.create({
      connection: await NativeConnection.connect(connection),
      namespace,
      taskQueue: queue,
      workflowBundle: { codePath: process.env.BENCH_BASELINE_BUNDLE! },
      activities: createBaselineActivities(pool, outsideWork),
      // The same cache bound as ours (WORKER_MAX_CACHED_WORKFLOWS), so that memory compares like with like.
      maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 1000),
      dataConverter,
    });
  const codecQueue = process.env.BENCH_BASELINE_CODEC_QUEUE;
  const workers = process.env.BENCH_NO_WORKER
    ? []
    : [
        await workerFor(taskQueue),
        // B2 encrypts every payload as ours does (lib/payload-codec.ts, the same master key derivation).
        ...(codecQueue
          ? [await workerFor(codecQueue, { payloadCodecs: [createPayloadCodec(masterKeysFromEnv())] }, outside)]
          : []),
      ];
  const running = Promise.all(workers.map((w) => w.run()));
  const clientConnection = await Connection.connect(connection);
  const client = new Client({ connection: clientConnection, namespace });

  const app = express();
  app.use(express.json());
  app.post('/start', async (req, res) => {
    const id = randomUUID();
    await client.workflow.start('baselineWorkflow', { taskQueue, workflowId: `b0-${id}`, args: [req.body] });
    res.status(202).json({ id });
  });
  app.get('/rows/:id', async (req, res) => {
    const { rows } = await pool.query('SELECT view FROM onboardings WHERE id = $1', [req.params.id]);
    res.json(rows[0]?.view ?? null);
  });
  app.get('/rows', async (_req, res) => {
    const { rows } = await pool.query('SELECT view FROM onboardings ORDER BY created_at DESC, id DESC LIMIT 20');
    res.json({ items: rows.map((r) => r.view) });
  });
  if (codecQueue) app.use('/b4', b4Endpoints(clientConnection, namespace, codecQueue));
  const server = process.env.BENCH_NO_API ? undefined : await listen(app, 0);
  // Ready when the worker polls: comparable to the app process's `worker.ready`.
  while (workers.some((w) => w.getState() !== 'RUNNING')) await new Promise((r) => setTimeout(r, 10));
  process.stdout.write(`${JSON.stringify({ ready: true, apiUrl: server?.url, startMs: Date.now() - t0 })}\n`);
  process.once('SIGTERM', () => {
    for (const w of workers) w.shutdown();
    void running.then(async () => {
      await server?.close();
      await outside?.mailer.close();
      await pool.end();
      process.exit(0);
    });
  });
}

/**
 * B4: B3 behind the fewest HTTP endpoints that serve an onboarding's calls, each the one Temporal call ours'
 * API makes for it through a client with the same codec: the start, each decision as an Update answered once
 * the workflow has counted it, the submitted credentials as a signal, and a read that answers once the
 * onboarding has completed. No authentication, validation, rows or rules: what an API costs as such.
 */
function b4Endpoints(connection: Connection, namespace: string, taskQueue: string): express.Router {
  const client = new Client({
    connection,
    namespace,
    dataConverter: { payloadCodecs: [createPayloadCodec(masterKeysFromEnv())] },
  });
  const router = express.Router();
  router.post('/onboardings', async (req, res) => {
    const workflowId = `b4-${randomUUID()}`;
    await client.workflow.start('baselineWorkflow', { taskQueue, workflowId, args: [req.body] });
    res.status(202).json({ workflowId });
  });
  router.post('/onboardings/:id/decisions', async (req, res) => {
    await client.workflow.getHandle(req.params.id).executeUpdate('recordDecision');
    res.json({ recorded: true });
  });
  router.post('/onboardings/:id/submissions', async (req, res) => {
    await client.workflow.getHandle(req.params.id).signal('submitted');
    res.status(202).json({ received: true });
  });
  router.get('/onboardings/:id/completed', async (req, res) => {
    await client.workflow.getHandle(req.params.id).result();
    res.json({ status: 'COMPLETED' });
  });
  return router;
}

/** B3's mail sink and portal, when the bench gives them. */
function outsideWorkFromEnv(log: Logger): OutsideWork | undefined {
  const { SMTP_URL: smtpUrl, BENCH_PORTAL_URL: portalUrl } = process.env;
  if (!smtpUrl || !portalUrl) return undefined;
  return {
    mailer: createMailer({ smtpUrl, from: 'baseline@bench.example', log }),
    portalUrl,
    credentials: JSON.parse(process.env.BENCH_PORTAL_CREDENTIALS!) as OutsideWork['credentials'],
  };
}

/** B2's key: GANGWAY_MASTER_KEY as the app reads it (base64 of 32 bytes). */
function masterKeysFromEnv(): MasterKeys {
  return { current: Buffer.from(process.env.GANGWAY_MASTER_KEY!, 'base64'), previous: [] };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
