import { WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { onboardingWorkflowId, type OnboardingInput } from '../../domain';
import { startBody, startStack, type Stack } from '../support/stack';

/** Rules checked when an onboarding starts: each refused with a clear reason before anything runs or anyone is asked. */
describe('start rules from the reference platforms', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let admin: { token: string };
  let approver: { email: string; token: string };

  beforeAll(async () => {
    stack = await startStack({ STAFF_EMAIL_DOMAINS: 'gangway.example,ops.gangway.test' });
    staff = await stack.addUser('staff');
    admin = await stack.addUser('admin');
    approver = await stack.addUser('approver');
  });
  afterAll(() => stack?.stop());

  const onboardings = async () => Number((await stack.db.pool.query('SELECT count(*) FROM onboardings')).rows[0].count);
  const start = (body: Record<string, any>, token = staff.token) =>
    stack.http('POST', '/v1/onboardings', { token, body });
  const withUser = (user: Record<string, unknown>) => ({
    integrationUser: { ...startBody().integrationUser, ...user },
  });

  it('refuses API subscriptions for a tenant without the TRADE plan, naming tenant.plan', async () => {
    const before = await onboardings();
    const res = await start(
      startBody({ approverEmail: approver.email, tenant: { ...startBody().tenant, plan: 'BASIC' } }),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'tenant.plan', message: 'API subscriptions need the TRADE plan; this tenant has BASIC' },
    ]);
    expect(await onboardings()).toBe(before);
    expect(stack.mail.messages().filter((m) => /Approval needed/.test(m.subject))).toHaveLength(0);
  });

  it('fails the workflow itself at CREATE_TENANT, before any approval is asked, when the plan is not TRADE', async () => {
    // Started past the API, as another caller could: the activity holds the rule too.
    const request = startBody({ approverEmail: approver.email, tenant: { ...startBody().tenant, plan: 'BASIC' } });
    const input: OnboardingInput = {
      onboardingId: randomUUID(),
      request: request as OnboardingInput['request'],
      approverEmail: approver.email,
      startedBy: { userId: randomUUID(), email: staff.email },
      policy: stack.config.policy,
      approval: { stages: {}, techAmEmail: null, escalateTo: [] },
    };
    const workflowId = onboardingWorkflowId(request.tenant.partnerProvidedId);
    const run = stack.temporal.workflow.execute('onboardingWorkflow', {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [input],
    });
    await expect(run).rejects.toBeInstanceOf(WorkflowFailedError);
    await expect(run).rejects.toMatchObject({ cause: { message: expect.stringMatching(/need the TRADE plan/) } });
    const view = await stack.waitForOnboarding(input.onboardingId, staff.token, (v) => v.status === 'FAILED');
    expect(view.steps.slice(0, 4).map((s: any) => [s.name, s.status])).toEqual([
      ['CREATE_TENANT', 'FAILED'],
      ['CREATE_INTEGRATION_USER', 'SKIPPED'],
      ['ISSUE_CLIENT_CREDENTIALS', 'SKIPPED'],
      ['REQUEST_APPROVAL', 'SKIPPED'],
    ]);
    expect(stack.mail.messages().filter((m) => /Approval needed/.test(m.subject))).toHaveLength(0);
  });

  it.each([
    ['in a staff domain', 'jo@gangway.example', /staff domain gangway\.example/],
    ['in a subdomain of a staff domain', 'api@eu.ops.gangway.test', /staff domain ops\.gangway\.test/],
  ])('refuses an integration email %s', async (_what, email, message) => {
    const res = await start(startBody({ approverEmail: approver.email, ...withUser({ email }) }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'integrationUser.email', message: expect.stringMatching(message) }]);
  });

  it('refuses an integration email that a staff account already uses', async () => {
    const person = await stack.addUser('staff', { email: 'jo@customer.example' });
    const res = await start(startBody({ approverEmail: approver.email, ...withUser({ email: person.email }) }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'integrationUser.email', message: expect.stringMatching(/is a staff account/) },
    ]);
  });

  it('needs the system’s name when integrationSystem is "Other"', async () => {
    const missing = await start(
      startBody({ approverEmail: approver.email, testMode: true, ...withUser({ integrationSystem: 'Other' }) }),
    );
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'integrationUser.integrationSystemName' })]);
    const named = await start(
      startBody({
        approverEmail: approver.email,
        testMode: true,
        ...withUser({ integrationSystem: 'Other', integrationSystemName: 'Our WMS' }),
      }),
    );
    expect(named.status).toBe(200);
  });

  it('lets only an admin request an AUTOMATION integration user', async () => {
    const body = startBody({ approverEmail: approver.email, testMode: true, ...withUser({ scope: 'AUTOMATION' }) });
    const byStaff = await start(body);
    expect(byStaff.status).toBe(403);
    expect(byStaff.body.detail).toMatch(/Only an admin/);
    expect((await start(body, admin.token)).status).toBe(200);
  });

  it('dry-runs: every problem at once beside the plan, starting nothing', async () => {
    const before = await onboardings();
    const res = await start({
      ...startBody({ approverEmail: 'nobody@x.example', testMode: true, clientAdministrators: ['ghost@x.example'] }),
      tenant: { ...startBody().tenant, plan: 'BASIC' },
      integrationUser: { email: 'jo@gangway.example', integrationSystem: 'Other' },
      subscriptions: ['CONTROL_TOWER', 'ORDER_MANAGEMENT'],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ testMode: true, valid: false });
    expect(res.body.plan.map((s: any) => s.name)).toEqual(expect.arrayContaining(['CREATE_TENANT', 'DELIVER_KIT']));
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual([
      'approverEmail',
      'clientAdministrators.0',
      'integrationUser.email',
      'integrationUser.integrationSystemName',
      'subscriptions.0',
      'tenant.plan',
    ]);
    expect(await onboardings()).toBe(before);
  });
});
