import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { createUser } from '../db/users';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../infra/embedded-postgres';
import { freePort } from '../infra/free-port';
import { startMailSink } from '../infra/mail-sink';
import { startPortalStub } from '../infra/portal-stub';
import { findTemporalCli } from '../infra/temporal-cli';
import { startDevServer, type DevServer } from '../infra/temporal-dev-server';
import { createLogger } from '../lib/logger';
import { bundleOnboardingWorkflows } from '../worker/workflow-bundle';
import { measure, summary, type Probe } from './measure';
import { request, runGangway, startFlakyReceiver, waitUntilReady, type Answer, type GangwayProcess } from './topology';

/**
 * The fault suite (#19): N onboardings (2 subscriptions, 1 client, a webhook each) driven through the
 * API while, one at a time, the API process is SIGKILLed during the decisions, PostgreSQL is restarted,
 * the Temporal dev server is SIGKILLed and restarted on its database file while the credentials
 * arrive, and the worker is SIGKILLed during verification and kit delivery; the webhook receiver
 * answers 503 for its first 20 s. During each outage every endpoint kind is probed. Then it counts
 * statuses, rows, mails, webhook ids and portal calls, prints a summary, writes JSON, and exits
 * non-zero on any violation (faults/measure.ts).
 *
 *   npm run faults -- --n 200 [--workers 2] [--out faults.json]
 */
const ROOT = path.join(__dirname, '..');
const log = createLogger({ level: 'warn' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '20' },
      workers: { type: 'string', default: '1' },
      out: { type: 'string', default: 'faults-report.json' },
      'settle-timeout': { type: 'string', default: '600' },
    },
  });
  const n = Number(values.n);
  const workerCount = Number(values.workers);
  const settleMs = Number(values['settle-timeout']) * 1000;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-faults-'));
  const startedAt = Date.now();
  const timeline: { at: number; event: string }[] = [];
  const mark = (event: string) => {
    timeline.push({ at: Math.round((Date.now() - startedAt) / 100) / 10, event });
    console.log(`[${timeline[timeline.length - 1].at}s] ${event}`);
  };

  // The dependencies, each of our own: PostgreSQL and Temporal restartable without touching anyone else's.
  const pgPort = await freePort();
  const startPg = () =>
    startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort, log, database: 'gangway' });
  let pg: EmbeddedPostgres = await startPg();
  const cliPath = await findTemporalCli({ projectRoot: ROOT });
  const temporalPort = await freePort();
  const startTemporal = () =>
    startDevServer({
      cliPath,
      port: temporalPort,
      dbFile: path.join(dir, 'temporal.sqlite'),
      log,
      readyTimeoutMs: 60_000,
    });
  let temporal: DevServer = await startTemporal();
  const mail = await startMailSink();
  const portal = await startPortalStub({ username: 'client', password: 'right-password' });
  const receiver = await startFlakyReceiver(20_000);
  const bundle = path.join(dir, 'workflows.js');
  await writeFile(bundle, (await bundleOnboardingWorkflows()).code);
  mark('dependencies up');

  const apiPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const env: Record<string, string> = {
    DATABASE_URL: pg.url,
    SMTP_URL: mail.url,
    GANGWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: 'faults',
    GANGWAY_WORKFLOW_BUNDLE: bundle,
    LOG_LEVEL: 'error',
    PUBLIC_URL: api,
    CONNECTIVITY_RETRY_INITIAL: '200ms',
    CONNECTIVITY_RETRY_MAX: '2s',
    WEBHOOK_RETRY_INITIAL: '1s',
    WEBHOOK_MAX_ATTEMPTS: '20',
    EGRESS_ALLOWED_HOSTS: '127.0.0.1',
    // Every request comes from 127.0.0.1 and one staff user: the per-address and per-user limits are for the world.
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_STARTS: '1000000',
    SUBMISSION_RECONCILE_INTERVAL: '15s',
  };
  const migrate = runGangway('migrate', env);
  if ((await migrate.exited).code !== 0) throw new Error(`migrate failed: ${migrate.output()}`);
  const processes: GangwayProcess[] = [];
  const startApi = async () => {
    const proc = runGangway('api', { ...env, PORT: String(apiPort) });
    processes.push(proc);
    await waitUntilReady(api, proc);
    return proc;
  };
  const workerPorts = await Promise.all(Array.from({ length: workerCount }, () => freePort()));
  const startWorker = async (i: number) => {
    const proc = runGangway('worker', { ...env, WORKER_HEALTH_PORT: String(workerPorts[i]) });
    processes.push(proc);
    await waitUntilReady(`http://127.0.0.1:${workerPorts[i]}`, proc);
    return proc;
  };
  let apiProc = await startApi();
  const workerProcs = await Promise.all(workerPorts.map((_, i) => startWorker(i)));
  mark(`gangway up: 1 API, ${workerCount} worker(s)`);

  const pool = new Pool({ connectionString: pg.url, max: 4, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => undefined);
  const person = async (role: 'staff' | 'approver') => {
    const email = `${role}@faults.example`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    await createUser(pool, { email, role, approverKind: role === 'approver' ? 'AM' : undefined, password });
    const login = await request(api, 'POST', '/v1/login', { body: { email, password } });
    return { email, token: login.body.accessToken as string };
  };
  const staff = await person('staff');
  const approver = await person('approver');

  const answers: Record<string, number[]> = {};
  const record = (kind: string, a: Answer) => (answers[kind] ??= []).push(a.status);
  /** Sends until the answer is final: a 503 waits its Retry-After, a refused connection (the API restarting) 1 s. */
  const untilFinal = async (kind: string, send: () => Promise<Answer>): Promise<Answer> => {
    for (let i = 0; ; i++) {
      const a = await send();
      record(kind, a);
      if (a.status !== 0 && a.status !== 503) return a;
      if (i > 200) return a;
      await sleep(a.status === 503 ? Number(a.retryAfter ?? 1) * 1000 : 1000);
    }
  };
  const parallel = async <T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: limit }, async () => {
        while (next < items.length) {
          const i = next++;
          await fn(items[i], i);
        }
      }),
    );
  };
  const bodyOf = (i: number, tag = 'f') => ({
    tenant: {
      partnerProvidedId: `${tag}-${i}`,
      name: `Faults ${tag} ${i}`,
      plan: 'TRADE',
      contact: { name: 'Ops', email: `ops-${tag}-${i}@acme.example` },
    },
    integrationUser: {
      email: `api-${tag}-${i}@acme.example`,
      integrationSystem: 'SAP S/4HANA',
      scope: 'TENANT',
      invoiceDataAccess: false,
    },
    approverEmail: approver.email,
    subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'],
    clients: [
      {
        partnerProvidedId: `client-${i}`,
        name: `Client ${tag} ${i}`,
        contactEmail: `it-${tag}-${i}@client.example`,
        portalUrl: portal.url,
      },
    ],
    notify: { email: `ops-${tag}-${i}@acme.example`, webhookUrl: receiver.url },
  });
  const statusesOf = async (ids: string[]) =>
    (
      await pool.query<{ id: string; status: string }>(
        'SELECT id, status FROM onboardings WHERE id = ANY($1::uuid[])',
        [ids],
      )
    ).rows;
  /** Asks every 500 ms until check answers true (true) or timeoutMs has passed (false). */
  const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await check()) return true;
      if (Date.now() > deadline) return false;
      await sleep(500);
    }
  };
  const waitForStatus = (ids: string[], wanted: string[], timeoutMs: number) =>
    until(async () => {
      const rows = await statusesOf(ids).catch(() => []);
      return rows.length === ids.length && rows.every((r) => wanted.includes(r.status));
    }, timeoutMs);
  const waitUntilDelivered = (ids: string[], timeoutMs: number) =>
    until(async () => {
      const { rows } = await pool
        .query<{ queued: number }>(
          `SELECT (SELECT count(*) FROM webhook_deliveries
                    WHERE onboarding_id = ANY($1::uuid[]) AND delivered_at IS NULL AND failed_at IS NULL)
                + (SELECT count(*) FROM mail_log WHERE sent_at IS NULL) AS queued`,
          [ids],
        )
        .catch(() => ({ rows: [] as Array<{ queued: number }> }));
      return rows.length === 1 && Number(rows[0].queued) === 0;
    }, timeoutMs);

  // 1. The starts (with Idempotency-Keys, so a retried start is the same start), and a spare onboarding to probe.
  const ids: string[] = new Array<string>(n);
  await parallel(
    Array.from({ length: n }, (_, i) => i),
    10,
    async (i) => {
      const a = await untilFinal('start', () =>
        request(api, 'POST', '/v1/onboardings', {
          token: staff.token,
          body: bodyOf(i),
          headers: { 'idempotency-key': `start-${i}` },
        }),
      );
      if (a.status !== 202) throw new Error(`start ${i}: ${a.status} ${JSON.stringify(a.body)}`);
      ids[i] = a.body.id as string;
    },
  );
  const spare = await request(api, 'POST', '/v1/onboardings', { token: staff.token, body: bodyOf(0, 'spare') });
  mark(`${n} onboardings started`);
  if (!(await waitForStatus([...ids, spare.body.id], ['AWAITING_APPROVAL'], 300_000)))
    throw new Error('onboardings did not all reach AWAITING_APPROVAL');

  // 2. 2N decisions; the API process is SIGKILLed after a third of them and started again.
  const decisions = ids.flatMap((id) =>
    ['ORDER_MANAGEMENT', 'INVOICING'].map((subscription) => ({ id, subscription })),
  );
  let decided = 0;
  const killApiAt = Math.floor(decisions.length / 3);
  const apiRestart = (async () => {
    while (decided < killApiAt) await sleep(20);
    apiProc.child.kill('SIGKILL');
    mark(`API SIGKILLed after ${decided} of ${decisions.length} decisions`);
    await apiProc.exited;
    apiProc = await startApi();
    mark('API back');
  })();
  await parallel(decisions, 20, async ({ id, subscription }) => {
    const a = await untilFinal('decide', () =>
      request(api, 'POST', `/v1/onboardings/${id}/approvals`, {
        token: approver.token,
        body: { subscription, decision: 'APPROVE' },
        headers: { 'idempotency-key': `${id}:${subscription}` },
      }),
    );
    if (a.status !== 200) throw new Error(`decision ${id} ${subscription}: ${a.status} ${JSON.stringify(a.body)}`);
    decided++;
  });
  await apiRestart;
  mark(`${decisions.length} decisions made`);

  // 3. PostgreSQL restarted while the collector mails go out; every endpoint is probed while it is down.
  const probes: Probe[] = [];
  const probeAll = async (outage: Probe['outage']) => {
    const kinds: [string, () => Promise<Answer>][] = [
      ['GET onboarding', () => request(api, 'GET', `/v1/onboardings/${ids[0]}`, { token: staff.token })],
      ['GET list', () => request(api, 'GET', '/v1/onboardings?limit=5', { token: staff.token })],
      ['POST start', () => request(api, 'POST', '/v1/onboardings', { token: staff.token, body: bodyOf(1, 'probe') })],
      [
        'POST decision',
        () =>
          request(api, 'POST', `/v1/onboardings/${spare.body.id}/approvals`, {
            token: approver.token,
            body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
            headers: { 'idempotency-key': `probe-${randomBytes(4).toString('hex')}` },
          }),
      ],
      [
        'POST cancel',
        () =>
          request(api, 'POST', `/v1/onboardings/${spare.body.id}/cancel`, {
            token: staff.token,
            body: { reason: 'probe' },
          }),
      ],
      [
        'POST collect',
        () => request(api, 'POST', '/v1/collect/not-a-token', { body: { username: 'u', password: 'p' } }),
      ],
      ['POST kit', () => request(api, 'POST', '/v1/kits/not-a-token')],
      ['POST login', () => request(api, 'POST', '/v1/login', { body: { email: staff.email, password: 'wrong' } })],
    ];
    for (const [kind, send] of kinds) {
      const sentAt = Date.now();
      const a = await send();
      probes.push({ outage, kind, status: a.status, retryAfter: a.retryAfter, ms: Date.now() - sentAt });
    }
  };
  await pg.stop();
  mark('PostgreSQL stopped');
  await probeAll('PostgreSQL');
  await sleep(3_000);
  await probeAll('PostgreSQL');
  mark('PostgreSQL probed; starting it again');
  pg = await startPg();
  mark('PostgreSQL back');

  // 4. The Temporal server SIGKILLed while the clients submit, and started again on its file.
  const mailOf = async (to: string) => {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const m = mail.messages().find((x) => x.to.includes(to) && /\/collect\//.test(x.text));
      if (m) return m;
      if (Date.now() > deadline) return undefined;
      await sleep(500);
    }
  };
  let submitted = 0;
  const killTemporalAt = Math.floor(n / 3);
  const temporalRestart = (async () => {
    while (submitted < killTemporalAt) await sleep(20);
    temporal.process.kill('SIGKILL');
    mark(`Temporal SIGKILLed after ${submitted} of ${n} submissions`);
    await probeAll('Temporal');
    mark('Temporal probed; starting it again');
    temporal = await startTemporal();
    mark('Temporal back');
  })();
  let lostLinks = 0;
  await parallel(ids, 20, async (_id, i) => {
    const m = await mailOf(`it-f-${i}@client.example`);
    if (!m) return void lostLinks++;
    const token = /\/collect\/([A-Za-z0-9_-]+)/.exec(m.text)![1];
    const a = await untilFinal('collect', () =>
      request(api, 'POST', `/v1/collect/${token}`, { body: { username: 'client', password: 'right-password' } }),
    );
    if (a.status !== 202) throw new Error(`collect ${i}: ${a.status} ${JSON.stringify(a.body)}`);
    submitted++;
  });
  await temporalRestart;
  mark(`${n - lostLinks} submissions received`);

  // 5. The worker SIGKILLed during verification and kit delivery, and started again.
  await sleep(1_500);
  workerProcs[0].child.kill('SIGKILL');
  mark('worker SIGKILLed');
  await workerProcs[0].exited;
  workerProcs[0] = await startWorker(0);
  mark('worker back');
  await untilFinal('cancel', () =>
    request(api, 'POST', `/v1/onboardings/${spare.body.id}/cancel`, { token: staff.token, body: { reason: 'spare' } }),
  );

  const settled = await waitForStatus(ids, ['COMPLETED', 'FAILED', 'REJECTED', 'CANCELLED'], settleMs);
  mark(settled ? 'every onboarding finished' : 'settle timeout: some onboardings are stuck');
  // Webhooks trail the last status: the outbox retries them with backoff after the receiver's 503s. Mails
  // claimed and not yet sent are waited for too. Counted once nothing is queued, not after a fixed time.
  const drained = await waitUntilDelivered(ids, settleMs);
  mark(drained ? 'every webhook and mail sent' : 'delivery timeout: some webhooks or mails are still queued');

  const report = await measure({ pool, ids, mail, receiver, portal, probes, answers, lostLinks, timeline, n });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(summary(report));
  console.log(`report written to ${values.out}`);

  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => p.exited));
  await pool.end();
  await temporal.stop();
  await pg.stop();
  await mail.close();
  await portal.close();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
  return report.violations.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`faults: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
