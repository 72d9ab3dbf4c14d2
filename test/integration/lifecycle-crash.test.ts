import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { completeOnboarding } from '../support/complete-onboarding';
import { startDeployment } from '../support/deployment';
import { collectorTokenIn } from '../support/stack';

/**
 * An expansion and an offboarding each lose their worker process to SIGKILL midway; a new worker process
 * takes over, and nothing is lost or done twice: one row of each kind, one mail of each kind.
 */
describe('expansion and offboarding through a SIGKILLed worker', () => {
  let deployment: Awaited<ReturnType<typeof startDeployment>>;
  let portal: PortalStub;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };
  let customer: Awaited<ReturnType<typeof completeOnboarding>>;

  const count = async (sql: string, args: unknown[] = []) =>
    Number((await deployment.db.pool.query<{ n: string }>(sql, args)).rows[0].n);
  const killWorker = async () => {
    const worker = deployment.workers.pop()!;
    worker.child.kill('SIGKILL');
    expect(await worker.exited).toEqual({ code: null, signal: 'SIGKILL' });
    deployment.workers.push(await deployment.start('worker'));
  };
  const everyMailOnce = () => {
    // A Message-ID derives from the mail's idempotency key: a mail sent twice would repeat it.
    const ids = deployment.mail.messages().map((m) => m.messageId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // One approval request for the first onboarding, one for the expansion.
    expect(deployment.mail.messages().filter((m) => /Approval needed/.test(m.subject))).toHaveLength(2);
  };

  beforeAll(async () => {
    deployment = await startDeployment({ apis: 1, workers: 1 });
    portal = await startPortalStub({ username: 'client', password: 'right-password' });
    staff = await deployment.addUser('staff');
    approver = await deployment.addUser('approver');
    customer = await completeOnboarding(
      deployment,
      { staffToken: staff.token, approver },
      { subscriptions: ['ORDER_MANAGEMENT'] },
    );
  }, 120_000);
  afterAll(async () => {
    await deployment?.stop();
    await portal?.close();
  });

  it('finishes an expansion whose worker died, assigning and telling once', async () => {
    const { partnerProvidedId } = customer.body.tenant;
    const contactEmail = 'it-crash@client.example';
    const started = await deployment.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: {
        tenant: { partnerProvidedId, existing: true },
        subscriptions: ['INVOICING'],
        approverEmail: approver.email,
        clients: [{ partnerProvidedId: 'client-crash', name: 'Crash Ltd', contactEmail, portalUrl: portal.url }],
        notify: { email: 'ops-crash@acme.example' },
      },
    });
    expect(started.status).toBe(202);
    const { id } = started.body;
    await deployment.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL', 60_000);
    const decided = await deployment.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: approver.token,
      body: { subscription: 'INVOICING', decision: 'APPROVE' },
    });
    expect(decided.status).toBe(200);
    // Dies while the assignment and the collector mail are under way.
    await killWorker();

    const mail = await deployment.mail.waitFor((m) => m.to.includes(contactEmail), 120_000);
    const token = collectorTokenIn(mail.text);
    const posted = await deployment.http('POST', `/v1/collect/${token}`, {
      body: { username: 'client', password: 'right-password' },
    });
    expect(posted.status).toBe(202);
    const done = await deployment.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED', 120_000);
    expect(done.steps.map((s: any) => s.status)).toEqual([
      'SKIPPED',
      'SKIPPED',
      'SKIPPED',
      'DONE',
      'DONE',
      'DONE',
      'DONE',
      'DONE',
    ]);

    expect(await count('SELECT count(*) AS n FROM tenants')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM integration_users')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM api_clients')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM kits')).toBe(1);
    expect(await count("SELECT count(*) AS n FROM subscriptions WHERE status = 'ASSIGNED'")).toBe(2);
    expect(await count('SELECT count(*) AS n FROM collector_links WHERE onboarding_id = $1', [id])).toBe(1);
    await deployment.mail.waitFor((m) => /What was added/.test(m.subject), 30_000);
    expect(deployment.mail.messages().filter((m) => /What was added/.test(m.subject))).toHaveLength(1);
    everyMailOnce();
  }, 300_000);

  it('finishes an offboarding whose worker died, each step once', async () => {
    const { partnerProvidedId } = customer.body.tenant;
    const asked = await deployment.http('POST', `/v1/tenants/${partnerProvidedId}/offboard`, {
      token: staff.token,
      body: { reason: 'contract ended' },
    });
    expect(asked.status).toBe(202);
    await killWorker();

    const deadline = Date.now() + 120_000;
    let view: any;
    for (;;) {
      view = (await deployment.http('GET', `/v1/offboardings/${asked.body.id}`, { token: staff.token })).body;
      if (view.status !== 'RUNNING' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(view.status).toBe('COMPLETED');
    expect(view.steps.every((s: any) => s.status === 'DONE')).toBe(true);

    expect(await count('SELECT count(*) AS n FROM offboardings')).toBe(1);
    expect(await count('SELECT count(*) AS n FROM tenants WHERE archived_at IS NOT NULL')).toBe(1);
    // One archived version, however often the step ran.
    expect(await count('SELECT count(*) AS n FROM tenant_versions WHERE archived')).toBe(1);
    expect(await count("SELECT count(*) AS n FROM subscriptions WHERE status = 'ASSIGNED'")).toBe(0);
    expect(await count('SELECT count(*) AS n FROM api_clients WHERE revoked_at IS NULL')).toBe(0);
    expect(await count("SELECT count(*) AS n FROM security_events WHERE event = 'tenant_offboarded'")).toBe(1);
    await deployment.mail.waitFor((m) => /has been closed/.test(m.subject), 30_000);
    expect(deployment.mail.messages().filter((m) => /has been closed/.test(m.subject))).toHaveLength(1);
    everyMailOnce();
  }, 300_000);
});
