import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { randomUUID } from 'node:crypto';
import { recordHistory } from '../support/record-history';
import { startBody, startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/wait';

type Person = { id: string; email: string; token: string };

/** Who may decide, delegate and reassign an approval task, and that each decision counts once. */
describe('approval rules', () => {
  let stack: Stack;
  let staff: Person;
  let admin: Person;
  let am: Person;
  let otherAm: Person;
  let techAm: Person;

  beforeAll(async () => {
    stack = await startStack({ APPROVAL_POLICY: JSON.stringify({ INVOICING: 'AM_THEN_TECH_AM' }) });
    staff = await stack.addUser('staff');
    admin = await stack.addUser('admin');
    am = await stack.addUser('approver');
    otherAm = await stack.addUser('approver');
    techAm = await stack.addUser('approver', { approverKind: 'TECH_AM' });
  });
  afterAll(() => stack?.stop());

  async function start(overrides: Record<string, unknown> = {}, by: Person = staff) {
    const res = await stack.http('POST', '/v1/onboardings', {
      token: by.token,
      body: startBody({ approverEmail: am.email, ...overrides }),
    });
    expect(res.status).toBe(202);
    await stack.waitForOnboarding(res.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    return res.body.id as string;
  }
  const decide = (
    id: string,
    who: Person,
    subscription: string,
    decision: string,
    headers: Record<string, string> = {},
    comment?: string,
  ) =>
    stack.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: who.token,
      body: { subscription, decision, comment },
      headers,
    });
  const audit = async (id: string) =>
    (await stack.http('GET', `/v1/onboardings/${id}/audit`, { token: staff.token })).body.items as any[];
  const updatesIn = async (id: string) => {
    const row = (await stack.db.pool.query('SELECT workflow_id FROM onboardings WHERE id = $1', [id])).rows[0];
    const history = await stack.temporal.workflow.getHandle(row.workflow_id).fetchHistory();
    return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
  };

  it('records a duplicated decision once: the same idempotency key returns the first outcome', async () => {
    const id = await start();
    const key = { 'idempotency-key': randomUUID() };
    const first = await decide(id, am, 'ORDER_MANAGEMENT', 'APPROVE', key, 'fine');
    // The retry carries a different body by mistake; the update id makes it the same request.
    const retry = await decide(id, am, 'ORDER_MANAGEMENT', 'REJECT', key);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'APPROVED', decidedBy: am.email, comment: 'fine' });
    expect((await decide(id, am, 'ORDER_MANAGEMENT', 'APPROVE')).status).toBe(200);
    expect((await decide(id, am, 'ORDER_MANAGEMENT', 'REJECT')).status).toBe(409);
    expect(await updatesIn(id)).toBe(2);
    await waitFor(async () => (await audit(id)).some((e) => e.action === 'APPROVED'), 10_000, 50);
    expect((await audit(id)).filter((e) => e.action === 'APPROVED')).toHaveLength(1);
  });

  it('forbids deciding an onboarding one started, and anyone but the approver or delegate; refusals leave no trace in history', async () => {
    const id = await start({ approverEmail: admin.email }, admin);
    const own = await decide(id, admin, 'ORDER_MANAGEMENT', 'APPROVE');
    expect(own.status).toBe(403);
    expect(own.body.detail).toMatch(/nobody approves an onboarding they started/);
    expect((await decide(id, otherAm, 'ORDER_MANAGEMENT', 'APPROVE')).status).toBe(403);
    expect((await decide(id, staff, 'ORDER_MANAGEMENT', 'APPROVE')).status).toBe(403);
    expect(await updatesIn(id)).toBe(0);
    const view = await stack.waitForOnboarding(id, staff.token, () => true);
    expect(view.approvals.map((a: any) => a.status)).toEqual(['PENDING', 'PENDING']);
    expect((await audit(id)).filter((e) => ['APPROVED', 'REJECTED'].includes(e.action))).toEqual([]);
  });

  it('lets a delegate decide, gives racing approvers one winner and one 409, and tells the staff member', async () => {
    const id = await start({ subscriptions: ['ORDER_MANAGEMENT', 'CONTROL_TOWER_ORDERS'] });
    const delegate = (who: Person, body: Record<string, unknown>) =>
      stack.http('POST', `/v1/onboardings/${id}/delegations`, { token: who.token, body });

    expect((await delegate(am, { subscription: 'ORDER_MANAGEMENT', to: otherAm.email })).status).toBe(400);
    expect(
      (await delegate(am, { subscription: 'ORDER_MANAGEMENT', to: 'nobody@x.example', reason: 'away' })).body.errors[0]
        .path,
    ).toBe('to');
    expect(
      (await delegate(otherAm, { subscription: 'ORDER_MANAGEMENT', to: techAm.email, reason: 'not mine' })).status,
    ).toBe(403);
    expect((await delegate(am, { subscription: 'ORDER_MANAGEMENT', to: staff.email, reason: 'x' })).status).toBe(400);
    for (const subscription of ['ORDER_MANAGEMENT', 'CONTROL_TOWER_ORDERS']) {
      const res = await delegate(am, { subscription, to: otherAm.email, reason: 'on holiday this week' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ approverEmail: am.email, delegateEmail: otherAm.email, status: 'PENDING' });
    }
    await stack.mail.waitFor((m) => m.to.includes(otherAm.email) && /delegated by/.test(m.subject));
    const inbox = await stack.http('GET', '/v1/approvals', { token: otherAm.token });
    expect(
      inbox.body.items
        .filter((t: any) => t.onboardingId === id)
        .map((t: any) => t.subscription)
        .sort(),
    ).toEqual(['CONTROL_TOWER_ORDERS', 'ORDER_MANAGEMENT']);

    const byDelegate = await decide(id, otherAm, 'ORDER_MANAGEMENT', 'APPROVE', {}, 'approved for am');
    expect(byDelegate.status).toBe(200);
    expect(byDelegate.body).toMatchObject({ status: 'APPROVED', decidedBy: otherAm.email, approverEmail: am.email });

    const race = await Promise.all([
      decide(id, am, 'CONTROL_TOWER_ORDERS', 'APPROVE'),
      decide(id, otherAm, 'CONTROL_TOWER_ORDERS', 'REJECT'),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = race.find((r) => r.status === 200)!.body;
    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status !== 'AWAITING_APPROVAL');
    expect(view.approvals.find((a: any) => a.subscription === 'CONTROL_TOWER_ORDERS')).toMatchObject({
      status: winner.status,
      decidedBy: winner.decidedBy,
    });
    await stack.mail.waitFor(
      (m) =>
        m.to.includes(staff.email) && /ORDER_MANAGEMENT approved/.test(m.subject) && m.text.includes(otherAm.email),
    );
    await waitFor(async () => (await audit(id)).filter((e) => e.action === 'DELEGATED').length === 2, 10_000, 50);
    expect((await audit(id)).find((e) => e.action === 'DELEGATED')).toMatchObject({
      actor: am.email,
      reason: 'on holiday this week',
      detail: { to: otherAm.email },
    });
  });

  it('lets only an admin reassign; the new approver decides, then the TECH_AM; the audit tells the whole story', async () => {
    const id = await start({ subscriptions: ['INVOICING'] });
    const reassign = (who: Person, body: Record<string, unknown>) =>
      stack.http('POST', `/v1/onboardings/${id}/reassignments`, { token: who.token, body });
    expect((await reassign(am, { subscription: 'INVOICING', to: otherAm.email, reason: 'mine now' })).status).toBe(403);
    expect((await reassign(admin, { subscription: 'INVOICING', to: am.email, reason: 'same person' })).status).toBe(
      409,
    );
    const moved = await reassign(admin, {
      subscription: 'INVOICING',
      to: otherAm.email,
      reason: 'Acme moved to the northern region',
    });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ approverEmail: otherAm.email, stage: 'AM', status: 'PENDING' });
    await stack.mail.waitFor((m) => m.to.includes(otherAm.email) && /Approval needed: INVOICING/.test(m.subject));
    expect((await decide(id, am, 'INVOICING', 'APPROVE')).status).toBe(403);

    const amStage = await decide(id, otherAm, 'INVOICING', 'APPROVE', {}, 'commercially fine');
    expect(amStage.body).toMatchObject({ status: 'PENDING', stage: 'TECH_AM', approverEmail: techAm.email });
    await stack.mail.waitFor((m) => m.to.includes(techAm.email) && /Approval needed: INVOICING/.test(m.subject));
    expect((await decide(id, otherAm, 'INVOICING', 'APPROVE')).status).toBe(200);
    const techStage = await decide(id, techAm, 'INVOICING', 'APPROVE', {}, 'technically fine');
    expect(techStage.body).toMatchObject({ status: 'APPROVED', decidedBy: techAm.email });
    expect(techStage.body.decisions.map((d: any) => [d.stage, d.decidedBy])).toEqual([
      ['AM', otherAm.email],
      ['TECH_AM', techAm.email],
    ]);

    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(view.subscriptions).toEqual([{ code: 'INVOICING', status: 'ASSIGNED' }]);
    await stack.mail.waitFor((m) => m.to.includes(staff.email) && /INVOICING approved by the TECH_AM/.test(m.subject));
    await waitFor(async () => (await audit(id)).some((e) => e.action === 'ONBOARDING_COMPLETED'), 10_000, 50);
    const story = (await audit(id)).map((e) => [e.action, e.actor, e.reason]);
    expect(story).toEqual([
      ['ONBOARDING_STARTED', staff.email, null],
      ['ONBOARDING_AWAITING_APPROVAL', 'gangway', null],
      ['ASSIGNED', staff.email, 'subscription requested'],
      ['REASSIGNED', admin.email, 'Acme moved to the northern region'],
      ['APPROVED', otherAm.email, 'commercially fine'],
      ['ASSIGNED', 'gangway', 'AM approved; the TECH_AM decides next'],
      ['APPROVED', techAm.email, 'technically fine'],
      // Assigning the subscription, then handing over the kit (no clients to verify in between).
      ['ONBOARDING_RUNNING', 'gangway', null],
      ['ONBOARDING_RUNNING', 'gangway', null],
      ['ONBOARDING_COMPLETED', 'gangway', null],
    ]);
    expect((await stack.http('GET', `/v1/onboardings/${id}/audit`, { token: techAm.token })).status).toBe(200);
    expect(
      (await stack.http('GET', `/v1/onboardings/${id}/audit`, { token: (await stack.addUser('approver')).token }))
        .status,
    ).toBe(403);
    await recordHistory(
      view.workflowId,
      'approval-two-stage-reassigned',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );
  });

  it('refuses to start a two-stage approval when no TECH_AM is known, changing nothing', async () => {
    await stack.db.pool.query("UPDATE users SET approver_kind = 'AM' WHERE id = $1", [techAm.id]);
    try {
      const res = await stack.http('POST', '/v1/onboardings', {
        token: staff.token,
        body: startBody({ approverEmail: am.email, subscriptions: ['INVOICING'] }),
      });
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/TECH_AM/);
    } finally {
      await stack.db.pool.query("UPDATE users SET approver_kind = 'TECH_AM' WHERE id = $1", [techAm.id]);
    }
  });
});
