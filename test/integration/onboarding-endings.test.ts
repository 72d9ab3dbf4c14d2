import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { recordHistory } from '../support/record-history';
import { startBody, startStack, type Stack } from '../support/stack';

/** How an onboarding ends other than COMPLETED, and what it leaves behind in the stores. */
describe('onboardings that do not complete', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };

  beforeAll(async () => {
    stack = await startStack();
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
  });
  afterAll(() => stack?.stop());

  async function start(overrides: Record<string, unknown> = {}) {
    const body = startBody({ approverEmail: approver.email, ...overrides });
    const res = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(res.status).toBe(202);
    await stack.waitForOnboarding(res.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    return { id: res.body.id as string, body };
  }

  const decide = (id: string, subscription: string, decision: string, token = approver.token) =>
    stack.http('POST', `/v1/onboardings/${id}/approvals`, { token, body: { subscription, decision } });

  async function provisioned(onboardingId: string) {
    const q = (sql: string) => stack.db.pool.query(sql, [onboardingId]).then((r) => r.rows[0]);
    return {
      tenant: await q('SELECT archived_at FROM tenants WHERE orchestration_id = $1'),
      user: await q('SELECT disabled_at FROM integration_users WHERE orchestration_id = $1'),
      client: await q('SELECT revoked_at FROM api_clients WHERE orchestration_id = $1'),
      kit: await q('SELECT client_secret_sealed FROM kits WHERE onboarding_id = $1'),
    };
  }

  it('ends REJECTED when every subscription is rejected, undoing what it created', async () => {
    const { id } = await start();
    expect((await decide(id, 'ORDER_MANAGEMENT', 'REJECT')).status).toBe(200);
    expect((await decide(id, 'INVOICING', 'REJECT')).status).toBe(200);
    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'REJECTED');
    expect(Object.fromEntries(view.steps.map((s: any) => [s.name, s.status]))).toEqual({
      CREATE_TENANT: 'COMPENSATED',
      CREATE_INTEGRATION_USER: 'COMPENSATED',
      ISSUE_CLIENT_CREDENTIALS: 'COMPENSATED',
      REQUEST_APPROVAL: 'DONE',
      ASSIGN_SUBSCRIPTIONS: 'SKIPPED',
      COLLECT_CLIENT_CREDENTIALS: 'SKIPPED',
      VERIFY_CONNECTIVITY: 'SKIPPED',
      DELIVER_KIT: 'SKIPPED',
    });
    const left = await provisioned(id);
    expect(left.tenant.archived_at).toBeInstanceOf(Date);
    expect(left.user.disabled_at).toBeInstanceOf(Date);
    expect(left.client.revoked_at).toBeInstanceOf(Date);
    expect(left.kit.client_secret_sealed).toBeNull();
    // The staff member who started it hears of each decision.
    await stack.mail.waitFor((m) => m.to.includes(staff.email) && /INVOICING rejected/.test(m.subject));
  });

  it('is CANCELLED on request, compensates, and frees the tenant for a new onboarding', async () => {
    const { id, body } = await start();
    const cancel = await stack.http('POST', `/v1/onboardings/${id}/cancel`, {
      token: staff.token,
      body: { reason: 'customer withdrew' },
    });
    expect(cancel.status).toBe(202);
    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'CANCELLED');
    expect(view.reason).toBe(`cancelled by ${staff.email}: customer withdrew`);
    expect(view.steps.find((s: any) => s.name === 'REQUEST_APPROVAL')).toMatchObject({
      status: 'SKIPPED',
      detail: 'cancelled',
    });
    expect(view.steps.find((s: any) => s.name === 'CREATE_TENANT').status).toBe('COMPENSATED');
    expect((await provisioned(id)).tenant.archived_at).toBeInstanceOf(Date);
    await recordHistory(
      view.workflowId,
      'onboarding-cancelled-awaiting-approval',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );

    expect(
      (await stack.http('POST', `/v1/onboardings/${id}/cancel`, { token: staff.token, body: { reason: 'again' } }))
        .status,
    ).toBe(409);
    expect((await decide(id, 'ORDER_MANAGEMENT', 'APPROVE')).status).toBe(409);
    const again = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(id);
  });

  it('refuses a second open onboarding for the same tenant with 409 and the existing id', async () => {
    const { id, body } = await start();
    const second = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(second.body.existingId).toBe(id);
  });

  it('answers a repeated Idempotency-Key with the first response, and a changed body with 422', async () => {
    const body = startBody({
      approverEmail: approver.email,
      notify: { email: 'ops@acme.example', webhookUrl: 'http://127.0.0.1:9/hook' },
    });
    const headers = { 'idempotency-key': `key-${Date.now()}` };
    const first = await stack.http('POST', '/v1/onboardings', { token: staff.token, body, headers });
    const replay = await stack.http('POST', '/v1/onboardings', { token: staff.token, body, headers });
    expect(first.status).toBe(202);
    expect(first.body.webhookSecret).toMatch(/^whsec_/);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    const changed = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: { ...body, subscriptions: ['INVOICING'] },
      headers,
    });
    expect(changed.status).toBe(422);
    const stored = await stack.db.pool.query('SELECT response::text AS response FROM idempotency_keys');
    expect(stored.rows.map((r) => r.response).join()).not.toContain(first.body.webhookSecret);
  });

  it('records a decision once: the same decision repeats, a different one is 409, others are 403', async () => {
    const { id } = await start();
    const first = await decide(id, 'ORDER_MANAGEMENT', 'APPROVE');
    const repeat = await decide(id, 'ORDER_MANAGEMENT', 'APPROVE');
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    const flip = await decide(id, 'ORDER_MANAGEMENT', 'REJECT');
    expect(flip.status).toBe(409);

    const stranger = await stack.addUser('approver');
    expect((await decide(id, 'INVOICING', 'APPROVE', stranger.token)).status).toBe(403);
    expect((await decide(id, 'INVOICING', 'APPROVE', staff.token)).status).toBe(403);
    expect((await stack.http('GET', `/v1/onboardings/${id}`, { token: stranger.token })).status).toBe(403);
    expect((await stack.http('GET', `/v1/onboardings/${id}`, { token: approver.token })).status).toBe(200);
    expect((await decide('00000000-0000-4000-8000-000000000000', 'INVOICING', 'APPROVE')).status).toBe(404);

    const inbox = await stack.http('GET', '/v1/approvals?status=PENDING', { token: approver.token });
    expect(inbox.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ onboardingId: id, subscription: 'INVOICING', status: 'PENDING' }),
      ]),
    );
    expect(
      inbox.body.items.find((t: any) => t.onboardingId === id && t.subscription === 'ORDER_MANAGEMENT'),
    ).toBeUndefined();
  });
});

describe('webhooks', () => {
  let stack: Stack;
  let receiver: http.Server;
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    stack = await startStack();
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('announces each status change, signed with the secret the start returned once', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const { port } = receiver.address() as { port: number };
    const body = startBody({
      approverEmail: approver.email,
      notify: { email: 'ops@acme.example', webhookUrl: `http://127.0.0.1:${port}/hooks` },
    });
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    const { id, webhookSecret } = started.body;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    for (const subscription of ['ORDER_MANAGEMENT', 'INVOICING']) {
      await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
        token: approver.token,
        body: { subscription, decision: 'REJECT' },
      });
    }
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'REJECTED');

    const verifier = new Webhook(webhookSecret.replace(/^whsec_/, ''));
    const deadline = Date.now() + 10_000;
    while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Delivery order is not promised (retries reorder); each event's id carries its sequence.
    const seq = (e: any) => Number(String(e.id).split('.').pop());
    const events = received
      .map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as any)
      .sort((a, b) => seq(a) - seq(b));
    expect(events.map((e) => e.data.status)).toEqual(['RUNNING', 'AWAITING_APPROVAL', 'REJECTED']);
    expect(events.every((e) => e.onboardingId === id && e.type === 'onboarding.status_changed')).toBe(true);
    expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(3);
    // Signed with another secret, the same delivery does not verify.
    expect(() =>
      new Webhook(Buffer.alloc(32).toString('base64')).verify(
        received[0].body,
        received[0].headers as Record<string, string>,
      ),
    ).toThrow();
  });
});

describe('an approval nobody decides', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ APPROVAL_EXPIRE_AFTER: '1500ms' });
  });
  afterAll(() => stack?.stop());

  it('EXPIRES after the configured time; with nothing approved the onboarding ends REJECTED', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: approver.email }),
    });
    const view = await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'REJECTED');
    expect(view.approvals.map((a: any) => a.status)).toEqual(['EXPIRED', 'EXPIRED']);
    expect(view.subscriptions.map((s: any) => s.status)).toEqual(['EXPIRED', 'EXPIRED']);
  });
});
