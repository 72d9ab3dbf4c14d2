import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { recordHistory } from '../support/record-history';
import { completeOnboarding as completeWithKit, oauthToken } from '../support/complete-onboarding';
import { clientFor, startApproved, submitCredentials } from '../support/journey';
import { collectorTokenIn, kitRevealPath, linkIn, startBody, startStack, type Stack } from '../support/stack';
import { startReceiver } from '../support/webhook-receiver';

type People = {
  staff: { email: string; token: string };
  approver: { email: string; token: string };
};

const mailsTo = (stack: Stack, to: string) => stack.mail.messages().filter((m) => m.to.includes(to));
/** What POST /v1/collect answers for the right credentials sent through the link a collector mail carries. */
const collectThrough = async (stack: Stack, mail: { text: string }) =>
  (
    await stack.http('POST', `/v1/collect/${collectorTokenIn(mail.text)}`, {
      body: { username: 'client1', password: 'right' },
    })
  ).status;
const clientIn = (view: any, id: string) => view.clients.find((c: any) => c.partnerProvidedId === id);

async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function audit(stack: Stack, id: string, token: string, action: string) {
  return eventually(async () => {
    const trail = await stack.http('GET', `/v1/onboardings/${id}/audit`, { token });
    return trail.body.items.find((e: any) => e.action === action);
  });
}

/** Resend, retry and PATCH on an onboarding while it runs and after it finished (docs/lifecycle.md). */
describe('actions on an existing onboarding', () => {
  let stack: Stack;
  let portal: PortalStub;
  let people: People;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    // One wrong password fails a client at once, so the retries have something to retry.
    stack = await startStack({
      CREDENTIAL_MAX_ATTEMPTS: '1',
      CONNECTIVITY_DEADLINE: '3s',
      COLLECTOR_REMINDER_INTERVAL: '0',
      CLIENT_STUCK_NOTICE_AFTER: '0',
    });
    portal = await startPortalStub({ username: 'client1', password: 'right' });
    receiver = await startReceiver();
    people = { staff: await stack.addUser('staff'), approver: await stack.addUser('approver') };
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
    await receiver?.close();
  });

  const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    stack.http('POST', path, { token: people.staff.token, body, headers });
  const waitFor = (id: string, predicate: (v: any) => boolean) =>
    stack.waitForOnboarding(id, people.staff.token, predicate);

  it('resends a collector link: the old one answers 410, the fresh one is mailed, works and is audited', async () => {
    const client = clientFor(portal);
    const { id } = await startApproved(stack, people, [client]);
    const first = await stack.mail.waitFor((m) => m.to.includes(client.contactEmail));
    await waitFor(id, (v) => v.status === 'AWAITING_CREDENTIALS');

    // Bad input changes nothing.
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'POSTCARD' })).status).toBe(400);
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'COLLECTOR' })).status).toBe(400);
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'COLLECTOR', client: 'nobody' })).status).toBe(404);
    expect(mailsTo(stack, client.contactEmail)).toHaveLength(1);
    // Nothing to resend: no approval is pending, the kit comes last.
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'APPROVAL_REQUEST' })).status).toBe(409);
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'KIT' })).status).toBe(409);

    const key = { 'Idempotency-Key': `resend-${id}` };
    const resent = await post(`/v1/onboardings/${id}/resend`, { kind: 'COLLECTOR', client: 'client-1' }, key);
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ id, kind: 'COLLECTOR', status: 'RESENT' });
    // The same request again is the same Update: no second mail.
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'COLLECTOR', client: 'client-1' }, key)).status).toBe(
      202,
    );
    const fresh = await stack.mail.waitFor((m) => m.to.includes(client.contactEmail) && m !== first);
    expect(mailsTo(stack, client.contactEmail)).toHaveLength(2);
    expect(collectorTokenIn(fresh.text)).not.toBe(collectorTokenIn(first.text));
    expect(await collectThrough(stack, first)).toBe(410);
    expect(await collectThrough(stack, fresh)).toBe(202);
    const done = await waitFor(id, (v) => v.status === 'COMPLETED');
    expect(clientIn(done, 'client-1')).toMatchObject({ connectivity: 'CONNECTED', attempts: 1 });
    expect(await audit(stack, id, people.staff.token, 'RESENT')).toMatchObject({
      actor: people.staff.email,
      detail: { kind: 'COLLECTOR', client: 'client-1', resent: true },
    });
    // Finished: no collector link waits any more.
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'COLLECTOR', client: 'client-1' })).status).toBe(409);
  });

  it('resends the approval request to the approver while a decision is pending', async () => {
    const body = startBody({ approverEmail: people.approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
    const name = `Acme Resend ${body.tenant.partnerProvidedId}`;
    body.tenant.name = name;
    const { id } = (await post('/v1/onboardings', body)).body;
    await waitFor(id, (v) => v.status === 'AWAITING_APPROVAL');
    await stack.mail.waitFor((m) => m.to.includes(people.approver.email) && m.text.includes(name));

    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'APPROVAL_REQUEST' })).status).toBe(202);
    const again = await stack.mail.waitFor(
      (m) => m.to.includes(people.approver.email) && m.subject === `Approval needed: ORDER_MANAGEMENT for ${name}`,
    );
    expect(again.text).toContain(`${people.staff.email} asks you`);
    const { rows } = await stack.db.pool.query('SELECT 1 FROM mail_log WHERE idempotency_key LIKE $1', [
      `${id}:REQUEST_APPROVAL:ORDER_MANAGEMENT:resend:%`,
    ]);
    expect(rows).toHaveLength(1);
    expect(await audit(stack, id, people.staff.token, 'RESENT')).toMatchObject({
      detail: { kind: 'APPROVAL_REQUEST' },
    });
    await post(`/v1/onboardings/${id}/cancel`, { reason: 'test over' });
  });

  it('resends an unopened kit with a new secret, then the set-password link; the view shows the kit opened and the password set', async () => {
    const { started, kitMail } = await completeWithKit(
      stack,
      { staffToken: people.staff.token, approver: people.approver },
      {},
      { reveal: false },
    );
    const { id } = started;
    // Nothing opened yet: only the kit can be resent.
    expect((await stack.http('GET', `/v1/onboardings/${id}`, { token: people.staff.token })).body.kit).toEqual({
      openedAt: null,
      passwordSetAt: null,
    });
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'SET_PASSWORD' })).status).toBe(409);
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'APPROVAL_REQUEST' })).status).toBe(409);

    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'KIT' })).status).toBe(202);
    const again = await stack.mail.waitFor((m) => m.to.includes(kitMail.to[0]) && /sent again/.test(m.subject));
    expect((await stack.http('POST', kitRevealPath(kitMail.text))).status).toBe(410);
    const kit = await stack.http('POST', kitRevealPath(again.text));
    expect(kit.status).toBe(200);
    // The secret nobody saw was replaced: the revealed one is the one that works.
    const token = await oauthToken(stack, kit.body, { grant_type: 'client_credentials' });
    expect(token.status).toBe(200);
    const opened = await waitFor(id, (v) => v.kit?.openedAt !== null);
    expect(opened.kit).toEqual({ openedAt: expect.any(String), passwordSetAt: null });
    expect(await audit(stack, id, people.staff.token, 'RESENT')).toMatchObject({
      actor: people.staff.email,
      detail: { kind: 'KIT', resent: true },
    });
    // The secret was revealed once: the kit cannot be resent any more.
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'KIT' })).status).toBe(409);

    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'SET_PASSWORD' })).status).toBe(202);
    const passwordMail = await stack.mail.waitFor(
      (m) => m.to.includes(kitMail.to[0]) && /Set the password/.test(m.subject),
    );
    const oldToken = kit.body.setPasswordUrl.split('/set-password/')[1];
    const newToken = linkIn(passwordMail.text, '/set-password/').split('/set-password/')[1];
    const password = { password: 'a long enough password 1' };
    expect((await stack.http('POST', `/v1/set-password/${oldToken}`, { body: password })).status).toBe(410);
    expect((await stack.http('POST', `/v1/set-password/${newToken}`, { body: password })).status).toBe(200);
    const set = await waitFor(id, (v) => v.kit?.passwordSetAt !== null);
    expect(set.kit.passwordSetAt).toEqual(expect.any(String));
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'SET_PASSWORD' })).status).toBe(409);
  });

  it('retries a FAILED client during the onboarding: a fresh link, the same checks, and a webhook for each change', async () => {
    const waiting = clientFor(portal, 'client-wait');
    const failing = clientFor(portal, 'client-retry');
    const { id, workflowId } = await startApproved(stack, people, [waiting, failing], {
      notify: { email: 'ops@retry.example', webhookUrl: receiver.url },
    });
    await submitCredentials(stack, failing.contactEmail, 1, 'wrong');
    let view = await waitFor(id, (v) => clientIn(v, 'client-retry').connectivity === 'FAILED');
    expect(view.status).toBe('AWAITING_CREDENTIALS');

    expect((await post(`/v1/onboardings/${id}/clients/nobody/retry`)).status).toBe(404);
    expect((await post(`/v1/onboardings/${id}/clients/client-wait/retry`)).status).toBe(409);
    const retried = await post(`/v1/onboardings/${id}/clients/client-retry/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, partnerProvidedId: 'client-retry', status: 'RETRYING' });
    view = await waitFor(id, (v) => clientIn(v, 'client-retry').awaitingCredentials);
    expect(clientIn(view, 'client-retry')).toMatchObject({ connectivity: 'PENDING', attempts: 1 });
    expect((await post(`/v1/onboardings/${id}/clients/client-retry/retry`)).status).toBe(409);

    // The first clients' paths all end here, but the onboarding joins the retried one: it does not finish.
    await submitCredentials(stack, waiting.contactEmail, 1, 'right');
    view = await waitFor(id, (v) => clientIn(v, 'client-wait').connectivity === 'CONNECTED');
    expect(view.status).toBe('AWAITING_CREDENTIALS');
    expect(view.steps.find((s: any) => s.name === 'DELIVER_KIT').status).toBe('PENDING');

    // The retry's link is attempt 2; this time the portal accepts.
    await submitCredentials(stack, failing.contactEmail, 2, 'right');
    view = await waitFor(id, (v) => v.status === 'COMPLETED');
    expect(clientIn(view, 'client-retry')).toMatchObject({ connectivity: 'CONNECTED', attempts: 2, lastError: null });
    // The kit went out only after the retried client's check: the main flow waited for it.
    const kitStartedAt = view.steps.find((s: any) => s.name === 'DELIVER_KIT').startedAt;
    expect(Date.parse(kitStartedAt)).toBeGreaterThanOrEqual(Date.parse(clientIn(view, 'client-retry').lastCheckedAt));
    expect(view.steps.find((s: any) => s.name === 'VERIFY_CONNECTIVITY')).toMatchObject({ status: 'DONE' });
    expect(await audit(stack, id, people.staff.token, 'CLIENT_RETRIED')).toMatchObject({
      detail: { client: 'client-retry', firstAttempt: 2 },
    });

    const changes = await eventually(async () => {
      const events = receiver.received
        .map((r) => JSON.parse(r.body))
        .filter((e) => e.onboardingId === id && e.type === 'client.connectivity_changed')
        .filter((e) => e.data.partnerProvidedId === 'client-retry');
      return events.length >= 3 ? events : undefined;
    });
    expect(changes.map((e) => e.data)).toEqual([
      {
        partnerProvidedId: 'client-retry',
        connectivity: 'FAILED',
        attempts: 1,
        lastError: 'wrong credentials 1 times',
      },
      { partnerProvidedId: 'client-retry', connectivity: 'PENDING', attempts: 1, lastError: null },
      { partnerProvidedId: 'client-retry', connectivity: 'CONNECTED', attempts: 2, lastError: null },
    ]);
    await recordHistory(
      workflowId,
      'onboarding-client-retried',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );
  });

  it('retries a FAILED client after the onboarding finished through the reconnect workflow', async () => {
    const client = clientFor(portal, 'client-late');
    const { id } = await startApproved(stack, people, [client], {
      notify: { email: 'ops@late.example', webhookUrl: receiver.url },
    });
    await submitCredentials(stack, client.contactEmail, 1, 'wrong');
    let view = await waitFor(id, (v) => v.status === 'COMPLETED');
    expect(clientIn(view, 'client-late').connectivity).toBe('FAILED');

    expect((await post(`/v1/onboardings/${id}/clients/client-late/retry`)).status).toBe(202);
    view = await waitFor(id, (v) => clientIn(v, 'client-late').connectivity === 'PENDING');
    expect(clientIn(view, 'client-late').awaitingCredentials).toBe(true);
    expect((await post(`/v1/onboardings/${id}/clients/client-late/retry`)).status).toBe(409);

    // The reconnect's link can be resent too: its first mail (the client's second) stops working.
    await stack.mail.waitFor(() => mailsTo(stack, client.contactEmail).length >= 2);
    const reconnectMail = mailsTo(stack, client.contactEmail)[1];
    expect((await post(`/v1/onboardings/${id}/resend`, { kind: 'COLLECTOR', client: 'client-late' })).status).toBe(202);
    await stack.mail.waitFor(() => mailsTo(stack, client.contactEmail).length >= 3);
    expect(await collectThrough(stack, reconnectMail)).toBe(410);
    await submitCredentials(stack, client.contactEmail, 3, 'right');
    view = await waitFor(id, (v) => clientIn(v, 'client-late').connectivity === 'CONNECTED');
    expect(view.status).toBe('COMPLETED');
    expect(clientIn(view, 'client-late')).toMatchObject({ attempts: 2, awaitingCredentials: false });
    expect(await audit(stack, id, people.staff.token, 'CLIENT_RETRIED')).toMatchObject({
      actor: people.staff.email,
      detail: { client: 'client-late', firstAttempt: 2 },
    });
    const result = await eventually(async () =>
      receiver.received
        .map((r) => JSON.parse(r.body))
        .find(
          (e) =>
            e.onboardingId === id && e.type === 'client.connectivity_changed' && e.data.connectivity === 'CONNECTED',
        ),
    );
    expect(result.data).toEqual({
      partnerProvidedId: 'client-late',
      connectivity: 'CONNECTED',
      attempts: 2,
      lastError: null,
    });
  });

  it('PATCH moves a waiting collector link to a new contact; 409 once a client submitted and once finished', async () => {
    const moving = clientFor(portal, 'client-move');
    const done = clientFor(portal, 'client-done');
    const { id } = await startApproved(stack, people, [moving, done]);
    const first = await stack.mail.waitFor((m) => m.to.includes(moving.contactEmail));
    await submitCredentials(stack, done.contactEmail, 1, 'right');
    await waitFor(id, (v) => clientIn(v, 'client-done').connectivity === 'CONNECTED');

    const patch = (body: unknown) => stack.http('PATCH', `/v1/onboardings/${id}`, { token: people.staff.token, body });
    expect(
      (await patch({ clients: [{ partnerProvidedId: 'client-move', contactEmail: 'not-an-email' }] })).status,
    ).toBe(400);
    expect((await patch({ clients: [{ partnerProvidedId: 'nobody', contactEmail: 'a@b.example' }] })).status).toBe(404);
    expect((await patch({})).status).toBe(400);
    expect(
      (await patch({ clients: [{ partnerProvidedId: 'client-done', contactEmail: 'x@done.example' }] })).status,
    ).toBe(409);

    const newAddress = `it-new-${Date.now()}@client.example`;
    const newNotify = `ops-new-${Date.now()}@acme.example`;
    const amended = await patch({
      notify: { email: newNotify },
      clients: [{ partnerProvidedId: 'client-move', contactEmail: newAddress }],
    });
    expect(amended.status).toBe(200);
    expect(amended.body).toMatchObject({ id, kit: { openedAt: null, passwordSetAt: null } });
    const moved = await stack.mail.waitFor((m) => m.to.includes(newAddress));
    expect(await collectThrough(stack, first)).toBe(410);
    expect(await collectThrough(stack, moved)).toBe(202);
    await waitFor(id, (v) => v.status === 'COMPLETED');
    // Later steps use the amended request: the kit went to the new notification address.
    const kitMail = await stack.mail.waitFor(
      (m) => /integration kit/.test(m.subject) && m.text.includes('/kit/') && m.to.includes(newNotify),
    );
    expect(kitMail.to).toEqual([newNotify]);
    expect(await audit(stack, id, people.staff.token, 'AMENDED')).toMatchObject({
      actor: people.staff.email,
      detail: { relinked: ['client-move'] },
    });
    expect((await patch({ notify: { email: 'late@acme.example' } })).status).toBe(409);
  });
});

/** Reminders to a client's contact before its link expires, and the stuck notice to staff. */
describe('collector reminders', () => {
  let stack: Stack;
  let portal: PortalStub;
  let people: People;

  beforeAll(async () => {
    stack = await startStack({
      COLLECTOR_LINK_TTL: '20s',
      COLLECTOR_REMINDER_INTERVAL: '1500ms',
      CLIENT_STUCK_NOTICE_AFTER: '2s',
    });
    portal = await startPortalStub({ username: 'client1', password: 'right' });
    people = { staff: await stack.addUser('staff'), approver: await stack.addUser('approver') };
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
  });

  it('reminds the contact with a fresh link and tells the starter once the client is stuck', async () => {
    const client = clientFor(portal);
    const { id, workflowId } = await startApproved(stack, people, [client]);
    const first = await stack.mail.waitFor((m) => m.to.includes(client.contactEmail));
    const reminders = () => mailsTo(stack, client.contactEmail).filter((m) => /^Reminder:/.test(m.subject));
    await stack.mail.waitFor(() => reminders().length >= 2);
    const stuck = await stack.mail.waitFor((m) => m.to.includes(people.staff.email) && /has not sent/.test(m.subject));
    expect(stuck.text).toContain(client.contactEmail);
    expect(await collectThrough(stack, first)).toBe(410);
    const latest = mailsTo(stack, client.contactEmail).at(-1)!;
    expect(await collectThrough(stack, latest)).toBe(202);
    await stack.waitForOnboarding(id, people.staff.token, (v) => v.status === 'COMPLETED');

    const { rows } = await stack.db.pool.query<{ idempotency_key: string }>(
      "SELECT idempotency_key FROM mail_log WHERE idempotency_key LIKE $1 || ':COLLECT_CLIENT_CREDENTIALS:%' ORDER BY idempotency_key",
      [id],
    );
    const keys = rows.map((r) => r.idempotency_key.slice(id.length + 1));
    expect(keys).toEqual(
      expect.arrayContaining([
        'COLLECT_CLIENT_CREDENTIALS:client-1:1:reminder:1',
        'COLLECT_CLIENT_CREDENTIALS:client-1:1:stuck',
      ]),
    );
    // The stuck notice went once.
    expect(keys.filter((k) => k.endsWith(':stuck'))).toHaveLength(1);
    expect(await audit(stack, id, people.staff.token, 'CLIENT_STUCK_NOTICE')).toMatchObject({
      actor: 'gangway',
      detail: { client: 'client-1', attempt: 1, to: people.staff.email },
    });
    expect(await audit(stack, id, people.staff.token, 'REMINDED')).toMatchObject({
      reason: 'collector reminder 1',
      detail: { client: 'client-1', attempt: 1, to: client.contactEmail },
    });
    await recordHistory(
      workflowId,
      'collector-reminded-stuck-notice',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );
  });
});
