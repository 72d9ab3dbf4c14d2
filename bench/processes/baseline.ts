import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { createPool } from '../../db/pool';
import { listen } from '../../api/server';
import { createLogger } from '../../lib/logger';
import { temporalConnectionFromEnv } from '../../lib/temporal-connection';
import { installTemporalRuntime } from '../../worker/temporal-runtime';
import { createBaselineActivities } from '../baseline-activities';
import { installHeapSnapshots } from '../lib/heap-snapshots';

/**
 * The baselines in a process of their own: a worker for B0/B1 and a bare express app whose endpoints
 * make the one call ours make (start a workflow; read one row with the same pool), nothing else.
 * BENCH_NO_API runs the worker alone and BENCH_NO_WORKER the endpoints alone, like the app process.
 */
async function main(): Promise<void> {
  const t0 = Date.now();
  const log = createLogger({ level: 'warn' });
  installTemporalRuntime(log);
  if (process.env.BENCH_HEAP_SNAPSHOTS) installHeapSnapshots(process.env.BENCH_HEAP_SNAPSHOTS);
  // The product's connection settings (TEMPORAL_*: address, namespace, mTLS), so that B0 reaches the server as ours does.
  const { options: connection, namespace = 'default' } = temporalConnectionFromEnv(process.env);
  const taskQueue = process.env.BENCH_BASELINE_QUEUE!;
  const pool = createPool(process.env.DATABASE_URL!, log);
  const worker = process.env.BENCH_NO_WORKER
    ? undefined
    : await Worker.create({
        connection: await NativeConnection.connect(connection),
        namespace,
        taskQueue,
        workflowBundle: { codePath: process.env.BENCH_BASELINE_BUNDLE! },
        activities: createBaselineActivities(pool),
        // The same cache bound as ours (WORKER_MAX_CACHED_WORKFLOWS), so that memory compares like with like.
        maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 1000),
      });
  const running = worker?.run() ?? Promise.resolve();
  const client = new Client({ connection: await Connection.connect(connection), namespace });

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
  const server = process.env.BENCH_NO_API ? undefined : await listen(app, 0);
  // Ready when the worker polls: comparable to the app process's `worker.ready`.
  while (worker && worker.getState() !== 'RUNNING') await new Promise((r) => setTimeout(r, 10));
  process.stdout.write(`${JSON.stringify({ ready: true, apiUrl: server?.url, startMs: Date.now() - t0 })}\n`);
  process.once('SIGTERM', () => {
    worker?.shutdown();
    void running.then(async () => {
      await server?.close();
      await pool.end();
      process.exit(0);
    });
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
