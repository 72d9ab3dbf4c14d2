import { Client, Connection } from '@temporalio/client';
import path from 'node:path';
import { reverifyScheduleId } from '../../domain';
import { freePort } from '../../infra/free-port';
import { clusterConnectionOptions, startCluster, type Cluster } from '../../infra/temporal-cluster';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { CLUSTER_ADMIN_URL, clusterDatabases, clusterSkipReason } from '../support/cluster';
import { runGangway, startDeployment } from '../support/deployment';
import { collectorTokenIn, startBody } from '../support/stack';
import { BUNDLE_ENV } from '../support/workflow-bundle';

/**
 * The production topology on the real Temporal server over mutual TLS: two API and two worker
 * processes, each started with its entry point and configured only by the environment. One worker is
 * SIGKILLed while activities run; the other finishes every onboarding: nothing is lost, no row is made
 * twice, and a mail repeats only under its own Message-ID when the kill fell inside its SMTP transaction. The server is built once per machine (.ci/run builds it first; see temporal-cluster.test.ts).
 */
const ROOT = path.join(__dirname, '..', '..');
const { databases: DATABASES, drop: dropDatabases } = clusterDatabases('deploy');
const ONBOARDINGS = 50;
const skipReason = clusterSkipReason();
if (skipReason) console.warn(`cluster-deployment.test.ts skipped: ${skipReason}`);

(skipReason ? describe.skip : describe)('two APIs and two workers on a real Temporal cluster over mTLS', () => {
  let cluster: Cluster;
  let portal: PortalStub;
  let deployment: Awaited<ReturnType<typeof startDeployment>>;

  beforeAll(async () => {
    await dropDatabases();
    cluster = await startCluster({
      projectRoot: ROOT,
      stateDir: path.join(ROOT, '.data', 'cluster-deployment-test'),
      ports: 'free',
      databaseAdminUrl: CLUSTER_ADMIN_URL,
      databases: DATABASES,
      ui: false,
      buildTimeoutMs: 18 * 60_000,
    });
    portal = await startPortalStub({ username: 'client', password: 'right-password' });
    // Both APIs start together: the re-verification Schedule must still exist once.
    deployment = await startDeployment({ apis: 2, workers: 2, env: { ...cluster.env } });
  }, 20 * 60_000);

  afterAll(async () => {
    await deployment?.stop();
    await portal?.close();
    await cluster?.stop();
    await dropDatabases();
  }, 120_000);

  it('refuses gangway processes whose certificate the frontend does not trust, in one line', async () => {
    const base = {
      ...deployment.env,
      WORKER_HEALTH_PORT: String(await freePort()),
      GANGWAY_WORKFLOW_BUNDLE: process.env[BUNDLE_ENV]!,
    };
    const wrongCa = {
      ...base,
      TEMPORAL_TLS_CLIENT_CERT_PATH: cluster.certificates.wrongClientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: cluster.certificates.wrongClientKey,
    };
    const noCertificate: Record<string, string> = { ...base };
    delete noCertificate.TEMPORAL_TLS_CLIENT_CERT_PATH;
    delete noCertificate.TEMPORAL_TLS_CLIENT_KEY_PATH;
    for (const env of [wrongCa, noCertificate]) {
      const proc = runGangway(['worker'], { ...env, TEMPORAL_CONNECT_TIMEOUT: '20s' });
      const { code } = await proc.exited;
      expect(code).toBe(2);
      expect(proc.output().trim().split('\n')).toEqual([
        expect.stringMatching(/^gangway: Temporal at 127\.0\.0\.1:\d+ refused the TLS handshake/),
      ]);
    }
  });

  it(
    'completes 50 onboardings started through both APIs while one worker is SIGKILLed, with nothing lost or made twice',
    async () => {
      const temporal = new Client({
        connection: await Connection.connect(await clusterConnectionOptions(cluster)),
        namespace: cluster.namespace,
      });
      const schedules: string[] = [];
      for await (const schedule of temporal.schedule.list()) schedules.push(schedule.scheduleId);
      expect(schedules.filter((id) => id === reverifyScheduleId(deployment.env.TEMPORAL_TASK_QUEUE))).toHaveLength(1);

      const staff = await deployment.addUser('staff');
      const approver = await deployment.addUser('approver');
      const api = (i: number) => deployment.through(i);
      const contacts = Array.from({ length: ONBOARDINGS }, (_, i) => `it-${i}@client.example`);
      const bodies = Array.from({ length: ONBOARDINGS }, (_, i) =>
        startBody({
          tenant: { ...startBody().tenant, partnerProvidedId: `acme-${i}-${Date.now()}`, name: `Acme ${i}` },
          approverEmail: approver.email,
          subscriptions: ['ORDER_MANAGEMENT'],
          clients: [
            { partnerProvidedId: `client-${i}`, name: `Client ${i}`, contactEmail: contacts[i], portalUrl: portal.url },
          ],
          notify: { email: `ops-${i}@acme.example` },
        }),
      );
      // Started ten at a time, as a staff tool would, through both APIs in turn.
      const ids: string[] = [];
      for (let from = 0; from < ONBOARDINGS; from += 10) {
        const batch = bodies.slice(from, from + 10).map(async (body, k) => {
          const started = await api(from + k).http('POST', '/v1/onboardings', { token: staff.token, body });
          expect(started.status).toBe(202);
          return started.body.id as string;
        });
        ids.push(...(await Promise.all(batch)));
      }
      await Promise.all(
        ids.map((id, i) => api(i).waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL', 120_000)),
      );

      // Approvals set assignments, mails and collector links going on both workers; one of them dies midway.
      const decide = (id: string, i: number) =>
        api(i + 1).http('POST', `/v1/onboardings/${id}/approvals`, {
          token: approver.token,
          body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
        });
      const half = ONBOARDINGS / 2;
      await Promise.all(ids.slice(0, half).map((id, i) => decide(id, i)));
      deployment.workers[0].child.kill('SIGKILL');
      const diedSeenAt = deployment.workers[0].exited.then(() => Date.now());
      await Promise.all(ids.slice(half).map((id, i) => decide(id, half + i)));

      // Every client submits through the link it was mailed, through either API.
      await Promise.all(
        contacts.map(async (contact, i) => {
          const mail = await deployment.mail.waitFor((m) => m.to.includes(contact), 180_000);
          const token = collectorTokenIn(mail.text);
          const posted = await api(i).http('POST', `/v1/collect/${token}`, {
            body: { username: 'client', password: 'right-password' },
          });
          expect(posted.status).toBe(202);
        }),
      );
      const views = await Promise.all(
        ids.map((id, i) =>
          api(i).waitForOnboarding(id, staff.token, (v) => ['COMPLETED', 'FAILED'].includes(v.status), 240_000),
        ),
      );
      expect(views.map((v) => v.status)).toEqual(ids.map(() => 'COMPLETED'));
      expect(await deployment.workers[0].exited).toEqual({ code: null, signal: 'SIGKILL' });

      // Exactly one of every row, and every mail once.
      const count = async (sql: string) => Number((await deployment.db.pool.query<{ n: string }>(sql)).rows[0].n);
      expect(await count('SELECT count(*) AS n FROM tenants')).toBe(ONBOARDINGS);
      expect(await count('SELECT count(*) AS n FROM integration_users')).toBe(ONBOARDINGS);
      expect(await count('SELECT count(*) AS n FROM api_clients')).toBe(ONBOARDINGS);
      expect(await count('SELECT count(*) AS n FROM kits')).toBe(ONBOARDINGS);
      expect(await count('SELECT count(*) AS n FROM collector_links')).toBe(ONBOARDINGS);
      expect(await count("SELECT count(*) AS n FROM subscriptions WHERE status = 'ASSIGNED'")).toBe(ONBOARDINGS);
      // Mail is at least once with a stable Message-ID (notify/mail-log.ts, RELIABILITY.md): every logical
      // mail has one Message-ID, and a Message-ID arrives twice only when the killed worker was in the SMTP
      // transaction of it: the first copy came before that worker was seen dead, the resend after.
      const mails = deployment.mail.messages();
      const byMessageId = new Map<string, typeof mails>();
      for (const m of mails) byMessageId.set(m.messageId, [...(byMessageId.get(m.messageId) ?? []), m]);
      const logicalOf = (m: (typeof mails)[number]) => `${m.to.join(',')}|${m.subject}`;
      const logical = [...byMessageId.values()].map((copies) => [...new Set(copies.map(logicalOf))]);
      expect(logical.filter((l) => l.length !== 1)).toEqual([]);
      expect(new Set(logical.flat()).size).toBe(byMessageId.size);
      const died = await diedSeenAt;
      const repeats = [...byMessageId.values()].filter((copies) => copies.length > 1);
      for (const copies of repeats) {
        expect(copies).toHaveLength(2);
        expect(copies[0].receivedAt.getTime()).toBeLessThanOrEqual(died);
        expect(copies[1].receivedAt.getTime()).toBeGreaterThan(copies[0].receivedAt.getTime());
      }
      expect(new Set(mails.filter((m) => /integration kit/.test(m.subject)).map((m) => m.messageId)).size).toBe(
        ONBOARDINGS,
      );
      await temporal.connection.close();
    },
    10 * 60_000,
  );
});
