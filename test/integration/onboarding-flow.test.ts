import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { decodedHistoryText, historyText } from '../support/history';
import { recordHistory } from '../support/record-history';
import { collectorTokenIn, kitRevealPath, linkIn, startBody, startStack, type Stack } from '../support/stack';

/** The walking skeleton end to end: HTTP API, real Temporal dev server, real PostgreSQL, real SMTP. */
describe('an onboarding from start to COMPLETED', () => {
  let stack: Stack;
  let portal: PortalStub;
  let staff: { email: string; token: string };
  let approver: { email: string; token: string };

  beforeAll(async () => {
    stack = await startStack({ CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233' });
    portal = await startPortalStub({ username: 'client7', password: 'right-password' });
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
  });

  it('approves, collects wrong then right credentials, connects and hands over the kit once', async () => {
    const body = startBody({
      approverEmail: approver.email,
      clients: [
        {
          partnerProvidedId: 'client-7',
          name: 'Client Seven',
          contactEmail: 'it@client7.example',
          portalUrl: portal.url,
        },
      ],
    });
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(started.status).toBe(202);
    const { id } = started.body;

    // The approver is asked, by mail, and decides each subscription through the API.
    const ask = await stack.mail.waitFor((m) => m.to.includes(approver.email) && /Approval needed/.test(m.subject));
    expect(ask.text).toContain('ORDER_MANAGEMENT');
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    const approve = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: approver.token,
      body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
    });
    expect(approve.status).toBe(200);
    expect(approve.body).toMatchObject({
      subscription: 'ORDER_MANAGEMENT',
      status: 'APPROVED',
      decidedBy: approver.email,
    });
    const reject = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: approver.token,
      body: { subscription: 'INVOICING', decision: 'REJECT', comment: 'not in this contract' },
    });
    expect(reject.body).toMatchObject({ status: 'REJECTED', comment: 'not in this contract' });

    // The client gets a collector link; wrong credentials bring a fresh one.
    const first = await stack.mail.waitFor((m) => m.to.includes('it@client7.example'));
    const firstLink = linkIn(first.text, '/collect/');
    const form = await fetch(firstLink);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Client Seven');
    const token1 = firstLink.split('/collect/')[1];
    expect(
      (
        await stack.http('POST', `/v1/collect/${token1}`, {
          body: { username: 'client7', password: 'not-the-right-one' },
        })
      ).status,
    ).toBe(202);
    expect(
      (await stack.http('POST', `/v1/collect/${token1}`, { body: { username: 'client7', password: 'again' } })).status,
    ).toBe(410);

    const second = await stack.mail.waitFor((m) => m.to.includes('it@client7.example') && /try again/i.test(m.subject));
    const token2 = collectorTokenIn(second.text);
    expect(token2).not.toBe(token1);
    expect(
      (await stack.http('POST', `/v1/collect/${token2}`, { body: { username: 'client7', password: 'right-password' } }))
        .status,
    ).toBe(202);

    const done = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(done.steps.map((s: any) => [s.name, s.status])).toEqual([
      ['CREATE_TENANT', 'DONE'],
      ['CREATE_INTEGRATION_USER', 'DONE'],
      ['ISSUE_CLIENT_CREDENTIALS', 'DONE'],
      ['REQUEST_APPROVAL', 'DONE'],
      ['ASSIGN_SUBSCRIPTIONS', 'DONE'],
      ['COLLECT_CLIENT_CREDENTIALS', 'DONE'],
      ['VERIFY_CONNECTIVITY', 'DONE'],
      ['DELIVER_KIT', 'DONE'],
    ]);
    expect(done.clients).toEqual([
      expect.objectContaining({ partnerProvidedId: 'client-7', connectivity: 'CONNECTED', attempts: 2 }),
    ]);
    expect(done.subscriptions).toEqual([
      { code: 'ORDER_MANAGEMENT', status: 'ASSIGNED' },
      { code: 'INVOICING', status: 'REJECTED' },
    ]);
    expect(portal.logins.map((l) => l.password)).toEqual(['not-the-right-one', 'right-password']);

    // The kit link arrives by mail without the secret, and opens exactly once.
    const kitMail = await stack.mail.waitFor((m) => /integration kit/.test(m.subject));
    expect(kitMail.to).toEqual(['ops@acme.example']);
    const kitPath = kitRevealPath(kitMail.text);
    // Mail scanners fetch links: GET and HEAD never open the kit; POST (the page's Reveal button) does, once.
    expect((await stack.http('HEAD', kitPath)).status).toBe(405);
    expect((await stack.http('GET', kitPath)).status).toBe(405);
    const kit = await stack.http('POST', kitPath);
    expect(kit.status).toBe(200);
    expect(kit.body).toMatchObject({
      clientId: done.clientId,
      username: done.integrationUser.username,
      subscriptions: ['ORDER_MANAGEMENT'],
    });
    expect(kit.body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(kitMail.text).not.toContain(kit.body.clientSecret);
    expect((await stack.http('POST', kitPath)).status).toBe(410);

    // The secret works at the token endpoint, with the granted subscription as scope.
    const basic = Buffer.from(`${kit.body.clientId}:${kit.body.clientSecret}`).toString('base64');
    const token = await stack.http('POST', '/oauth/token', {
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'order_management' });
    const wrong = Buffer.from(`${kit.body.clientId}:not-the-secret`).toString('base64');
    expect(
      (
        await stack.http('POST', '/oauth/token', {
          headers: { authorization: `Basic ${wrong}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        })
      ).status,
    ).toBe(401);

    const history = await stack.temporal.workflow.getHandle(started.body.workflowId).fetchHistory();
    // The last decision's mail to staff goes out beside the assignment rather than before it, and
    // the onboarding still waits for both mails before it ends.
    const events = history.events!;
    const activityType = new Map(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes)
        .map((e) => [Number(e.eventId), e.activityTaskScheduledEventAttributes!.activityType!.name]),
    );
    const assignScheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'assignSubscriptions',
    )!;
    const announced = events
      .filter(
        (e) => activityType.get(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId)) === 'notifyDecision',
      )
      .map((e) => Number(e.eventId));
    expect(announced).toHaveLength(2);
    expect(Number(assignScheduled.eventId)).toBeLessThan(Math.max(...announced));
    // The read model's writes ride with the steps' activities (workflows/projector.ts, `carrying`): each
    // step's activity carries the view that shows it running, so local activities are left for the
    // Updates' read-your-writes and the end (eleven before progress-with-steps).
    const showCodec = createPayloadCodec(requireMasterKeys(stack.config), 'show');
    const carried = new Map<string, string[][]>();
    for (const e of events) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (!scheduled) continue;
      const [payload] = await showCodec.decode(scheduled.input!.payloads!);
      const { progress } = JSON.parse(Buffer.from(payload.data!).toString('utf8'));
      if (!progress) continue;
      const running = progress.view.steps.filter((s: { status: string }) => s.status === 'RUNNING');
      const type = scheduled.activityType!.name!;
      carried.set(type, [...(carried.get(type) ?? []), running.map((s: { name: string }) => s.name)]);
    }
    expect(Object.fromEntries(carried)).toMatchObject({
      createTenant: [['CREATE_TENANT']],
      createIntegrationUser: [['CREATE_INTEGRATION_USER']],
      issueClientCredentials: [['ISSUE_CLIENT_CREDENTIALS']],
      notifyApprover: [['REQUEST_APPROVAL']],
      assignSubscriptions: [['ASSIGN_SUBSCRIPTIONS']],
      deliverKit: [['DELIVER_KIT']],
    });
    expect(carried.get('checkPortalLogin')).toHaveLength(2);
    const localActivities = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(localActivities.length).toBeLessThanOrEqual(4);
    expect(
      stack.mail
        .messages()
        .filter((m) => m.to.includes(staff.email) && / for Acme Shipping$/.test(m.subject))
        .map((m) => m.subject)
        .sort(),
    ).toEqual(['INVOICING rejected for Acme Shipping', 'ORDER_MANAGEMENT approved for Acme Shipping']);

    // The raw history, as the server stores it, is ciphertext: no secret and no business data in clear.
    const raw = historyText(history);
    const kitToken = kitPath.split('/').pop()!;
    const secrets = [kit.body.clientSecret, kitToken, token1, token2, 'right-password', 'not-the-right-one'];
    for (const value of [...secrets, 'Acme Shipping', 'it@client7.example', approver.email, done.clientId])
      expect(raw).not.toContain(value);
    // Decoded (what staff see through the codec endpoint), it holds the business data and references only.
    const decoded = await decodedHistoryText(history, createPayloadCodec(requireMasterKeys(stack.config), 'show'));
    expect(decoded).toContain('Acme Shipping');
    expect(decoded).toContain(done.clientId);
    for (const secret of secrets) expect(decoded).not.toContain(secret);

    // The codec endpoint (what the Temporal Web UI calls) decodes for staff only.
    const started0 = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
    const wire = {
      payloads: started0.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data!).toString('base64'),
      })),
    };
    expect((await stack.http('POST', '/codec/decode', { body: wire })).status).toBe(401);
    expect((await stack.http('POST', '/codec/decode', { body: wire, token: approver.token })).status).toBe(403);
    expect(
      (await stack.http('POST', '/codec/decode', { body: { payloads: [{ data: 'not base64!' }] }, token: staff.token }))
        .status,
    ).toBe(400);
    // Well-formed base64 that no key opens (a tampered payload) is the caller's problem too, never a 500.
    const tampered = { ...wire.payloads[0], data: Buffer.from('not a ciphertext at all').toString('base64') };
    const garbage = await stack.http('POST', '/codec/decode', { body: { payloads: [tampered] }, token: staff.token });
    expect(garbage.status).toBe(400);
    expect(garbage.body.errors).toEqual([
      { path: 'payloads', message: expect.stringMatching(/too short|authenticate/) },
    ]);
    const notJson = await fetch(`${stack.url}/codec/decode`, {
      method: 'POST',
      headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' },
      body: '{"payloads": [',
    });
    expect(notJson.status).toBe(400);
    const viaCodec = await stack.http('POST', '/codec/decode', {
      body: wire,
      token: staff.token,
      headers: { origin: 'http://127.0.0.1:8233' },
    });
    expect(viaCodec.status).toBe(200);
    expect(viaCodec.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const input = JSON.parse(Buffer.from(viaCodec.body.payloads[0].data, 'base64').toString('utf8'));
    expect(input.request.tenant.name).toBe('Acme Shipping');
    const preflight = await fetch(`${stack.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    // completed-before-progress-with-steps.json holds the same journey from before the carried writes.
    await recordHistory(
      started.body.workflowId,
      'onboarding-completed-after-wrong-credentials',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );
  });
});
