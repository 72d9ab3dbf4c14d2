import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { recordHistory } from '../support/record-history';
import { startBody, startStack, type Stack } from '../support/stack';

/** A request nobody decides is reminded, escalated and finally expired, on durable timers configured short. */
describe('approval timers', () => {
  let stack: Stack;
  const lead = 'approvals-lead@gangway.example';

  beforeAll(async () => {
    stack = await startStack({
      APPROVAL_REMINDER_INTERVAL: '1s',
      APPROVAL_ESCALATE_AFTER: '2500ms',
      APPROVAL_EXPIRE_AFTER: '6s',
      ESCALATION_EMAILS: lead,
    });
  });
  afterAll(() => stack?.stop());

  it('reminds the approver, escalates to the configured list, then expires and tells the customer', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({
        approverEmail: approver.email,
        subscriptions: ['ORDER_MANAGEMENT'],
        notify: { email: 'customer@acme.example' },
      }),
    });
    const id = started.body.id;

    const reminder = await stack.mail.waitFor(
      (m) => m.to.includes(approver.email) && /^Reminder: approval needed: ORDER_MANAGEMENT/.test(m.subject),
      10_000,
    );
    expect(reminder.text).toContain('/inbox');
    const escalation = await stack.mail.waitFor(
      (m) => m.to.includes(lead) && /^Escalation: ORDER_MANAGEMENT/.test(m.subject),
      10_000,
    );
    expect(escalation.text).toContain(approver.email);
    const escalated = await stack.waitForOnboarding(id, staff.token, (v) => v.approvals[0].escalatedTo?.length === 1);
    expect(escalated.approvals[0]).toMatchObject({ status: 'PENDING', escalatedTo: [lead] });

    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'REJECTED', 15_000);
    expect(view.approvals[0].status).toBe('EXPIRED');
    expect(view.approvals[0].remindersSent).toBeGreaterThanOrEqual(4);
    expect(view.subscriptions).toEqual([{ code: 'ORDER_MANAGEMENT', status: 'EXPIRED' }]);
    const told = await stack.mail.waitFor(
      (m) => m.to.includes('customer@acme.example') && /^Not approved in time: ORDER_MANAGEMENT/.test(m.subject),
    );
    expect(told.text).toMatch(/were not assigned/);
    const assigned = await stack.db.pool.query(
      "SELECT count(*)::int AS n FROM subscriptions WHERE status = 'ASSIGNED'",
    );
    expect(assigned.rows[0].n).toBe(0);
    expect(
      (
        await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
          token: approver.token,
          body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
        })
      ).status,
    ).toBe(409);

    const audit = (await stack.http('GET', `/v1/onboardings/${id}/audit`, { token: staff.token })).body.items as any[];
    const actions = audit.map((e) => e.action);
    expect(actions.filter((a) => a === 'REMINDED').length).toBe(view.approvals[0].remindersSent);
    expect(actions.filter((a) => a === 'ESCALATED')).toHaveLength(1);
    expect(audit.find((e) => e.action === 'ESCALATED')).toMatchObject({ actor: 'gangway', detail: { to: [lead] } });
    expect(actions.indexOf('ESCALATED')).toBeGreaterThan(actions.indexOf('REMINDED'));
    expect(actions.slice(-2)).toEqual(['EXPIRED', 'ONBOARDING_REJECTED']);
    // One mail per reminder, whatever the retries: the mail log holds each key once.
    const reminders = stack.mail.messages().filter((m) => m.to.includes(approver.email) && /^Reminder/.test(m.subject));
    expect(reminders).toHaveLength(view.approvals[0].remindersSent);
    await recordHistory(
      view.workflowId,
      'approval-reminded-escalated-expired',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );
  });
});
