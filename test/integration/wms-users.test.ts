import type { Proven, WithdrawAccessChangeInput } from '../../domain';
import { requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { claimsOf, completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { recordHistory } from '../support/record-history';
import { startBody, startStack, type Stack } from '../support/stack';
import { pollUntil } from '../support/wait';
import { withdrawAccessChangeSignal } from '../../workflows/messages';

/**
 * Ongoing WMS API users after the onboarding: a tenant's list of them, invoice-data access changed later
 * (narrowing at once, widening only on an approver's yes), and automation users made on their own.
 */
describe('Ongoing WMS API users', () => {
  let stack: Stack;
  let staff: { email: string; token: string };
  let admin: { email: string; token: string };
  let approver: { email: string; token: string };
  let done: Awaited<ReturnType<typeof completeOnboarding>>;

  beforeAll(async () => {
    stack = await startStack();
    staff = await stack.addUser('staff');
    admin = await stack.addUser('admin');
    approver = await stack.addUser('approver');
    done = await completeOnboarding(
      stack,
      { staffToken: staff.token, approver },
      { subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'] },
    );
  });
  afterAll(() => stack?.stop());

  const usersPath = (tenant: string) => `/v1/tenants/${tenant}/api-users`;
  const userPath = (d: typeof done) => `${usersPath(d.body.tenant.partnerProvidedId)}/${d.kit.username}`;
  const scopeOf = async (d: typeof done) =>
    (await oauthToken(stack, d.kit, { grant_type: 'client_credentials' })).body.scope as string;
  const storedAccess = async (username: string) =>
    (await stack.db.pool.query('SELECT invoice_data_access FROM integration_users WHERE username = $1', [username]))
      .rows[0].invoice_data_access as boolean;
  const changeCount = async () =>
    (await stack.db.pool.query('SELECT count(*)::int AS n FROM access_changes')).rows[0].n as number;

  it("lists a tenant's API users by tenantId or partnerProvidedId, for staff and admins only, with no secret", async () => {
    const byPartnerId = await stack.http('GET', usersPath(done.body.tenant.partnerProvidedId), { token: staff.token });
    expect(byPartnerId.status).toBe(200);
    expect(byPartnerId.body.items).toEqual([
      {
        username: done.kit.username,
        email: 'api@acme.example',
        integrationSystem: 'SAP S/4HANA',
        scope: 'TENANT',
        invoiceDataAccess: false,
        status: 'active',
        createdAt: expect.any(String),
        clientId: done.kit.clientId,
        pendingChange: null,
      },
    ]);
    const byTenantId = await stack.http('GET', usersPath(done.view.tenant.tenantId), { token: admin.token });
    expect(byTenantId.body.items).toEqual(byPartnerId.body.items);
    expect(byPartnerId.text).not.toContain(done.kit.clientSecret);
    expect(byPartnerId.text).not.toMatch(/secret|password/i);

    expect(
      (await stack.http('GET', usersPath(done.body.tenant.partnerProvidedId), { token: approver.token })).status,
    ).toBe(403);
    expect((await stack.http('GET', usersPath(done.body.tenant.partnerProvidedId))).status).toBe(401);
    expect((await stack.http('GET', usersPath('no-such-tenant'), { token: staff.token })).status).toBe(404);
  });

  it('refuses bad changes with a 4xx and changes nothing', async () => {
    const before = await changeCount();
    const patch = (body: unknown, token = staff.token, path = userPath(done)) =>
      stack.http('PATCH', path, { token, body });
    for (const body of [{}, { invoiceDataAccess: 'yes' }, { invoiceDataAccess: true, extra: 1 }, { reason: 'x' }]) {
      const refused = await patch(body);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    }
    // The tenant names no account manager and the request no approver: nobody could decide it.
    const noApprover = await patch({ invoiceDataAccess: true });
    expect(noApprover.status).toBe(400);
    expect(noApprover.body.errors).toEqual([
      { path: 'approverEmail', message: 'required when the tenant names no accountManagerEmail' },
    ]);
    expect((await patch({ invoiceDataAccess: true, approverEmail: 'nobody@gangway.example' })).status).toBe(400);
    expect((await patch({ invoiceDataAccess: true, approverEmail: staff.email })).status).toBe(400);
    expect((await patch({ invoiceDataAccess: true }, approver.token)).status).toBe(403);
    expect(
      (
        await patch(
          { invoiceDataAccess: true },
          staff.token,
          `${usersPath(done.body.tenant.partnerProvidedId)}/WSI_NOBODY`,
        )
      ).status,
    ).toBe(404);
    expect(await changeCount()).toBe(before);
    expect(await storedAccess(done.kit.username)).toBe(false);
  });

  it('widens invoice access only once the approver approves: then tokens carry the invoice scope, and the change is audited', async () => {
    expect(await scopeOf(done)).toBe('order_management');
    const asked = await stack.http('PATCH', userPath(done), {
      token: staff.token,
      body: { invoiceDataAccess: true, approverEmail: approver.email, reason: 'customer reconciles invoices' },
    });
    expect(asked.status).toBe(202);
    const id = `access-change-${done.view.tenant.tenantId}-${done.kit.username}-1`;
    expect(asked.body).toMatchObject({
      user: { username: done.kit.username, invoiceDataAccess: false, pendingChange: id },
      change: {
        id,
        from: false,
        to: true,
        status: 'PENDING',
        requestedBy: staff.email,
        approval: { status: 'PENDING', approverEmail: approver.email },
      },
    });
    // Pending: nothing applies, and a second widening of the same user is refused.
    expect(await storedAccess(done.kit.username)).toBe(false);
    expect(await scopeOf(done)).toBe('order_management');
    const second = await stack.http('PATCH', userPath(done), {
      token: admin.token,
      body: { invoiceDataAccess: true, approverEmail: approver.email },
    });
    expect(second.status).toBe(409);
    expect(second.body.pendingChange).toBe(id);

    // The approver sees it, by mail and in their list; nobody else decides it.
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(approver.email) && /^Approval needed: invoice data access/.test(m.subject),
    );
    expect(mail.text).toContain(`/v1/access-changes/${id}`);
    const tasks = await stack.http('GET', '/v1/access-changes?status=PENDING', { token: approver.token });
    expect(tasks.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    const decide = (token: string, decision: string) =>
      stack.http('POST', `/v1/access-changes/${id}/approvals`, { token, body: { decision } });
    expect((await decide(staff.token, 'APPROVE')).status).toBe(403);
    expect((await decide(admin.token, 'APPROVE')).status).toBe(403);
    expect(
      (
        await stack.http('POST', `/v1/access-changes/${id}/approvals`, {
          token: approver.token,
          body: { decision: 'MAYBE' },
        })
      ).status,
    ).toBe(400);

    // A withdrawal is the offboarding's message: one without a proof bound to this change (a forgery, or one
    // copied out of another history) is ignored, so the approval below still applies.
    const change = stack.temporal.workflow.getHandle(id);
    const withdrawal = { reason: 'forged', requestedBy: staff.email };
    await change.signal(withdrawAccessChangeSignal, withdrawal as Proven<WithdrawAccessChangeInput>);
    await change.signal(withdrawAccessChangeSignal, {
      ...withdrawal,
      proof: { workflowId: `${id}-other`, firstRunId: null, message: withdrawAccessChangeSignal.name, nonce: 'n1' },
    });

    const approved = await decide(approver.token, 'APPROVE');
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'APPLIED',
      appliedAt: expect.any(String),
      approval: { status: 'APPROVED', decidedBy: approver.email },
    });
    expect(await storedAccess(done.kit.username)).toBe(true);
    expect(await scopeOf(done)).toBe('invoicing order_management');
    const token = await oauthToken(stack, done.kit, { grant_type: 'client_credentials' });
    expect((await stack.http('GET', '/platform/v1/invoices', { token: token.body.access_token })).status).toBe(200);

    // The same answer again is that answer; another answer is a conflict.
    expect((await decide(approver.token, 'APPROVE')).status).toBe(200);
    expect((await decide(approver.token, 'REJECT')).status).toBe(409);

    const history = await stack.http('GET', `${userPath(done)}/access-changes`, { token: staff.token });
    expect(history.body.items).toEqual([
      expect.objectContaining({
        id,
        from: false,
        to: true,
        status: 'APPLIED',
        requestedBy: staff.email,
        reason: 'customer reconciles invoices',
        approval: expect.objectContaining({
          status: 'APPROVED',
          decidedBy: approver.email,
          decidedAt: expect.any(String),
        }),
      }),
    ]);
    await stack.mail.waitFor((m) => m.to.includes(staff.email) && /^Approved: invoice data access/.test(m.subject));
    await stack.temporal.workflow.getHandle(id).result();
    await recordHistory(id, 'access-change-approved', createPayloadCodec(requireMasterKeys(stack.config), 'show'));
  });

  it('narrows at once, answers a change to the current value as a no-op, and repeats an Idempotency-Key answer', async () => {
    // Already on: nothing to change, so nobody needs to approve it (the tenant names no account manager).
    const same = await stack.http('PATCH', userPath(done), { token: staff.token, body: { invoiceDataAccess: true } });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ user: { invoiceDataAccess: true }, change: null });
    const narrow = { invoiceDataAccess: false, reason: 'contract changed' };
    const headers = { 'idempotency-key': `narrow-${done.kit.username}` };
    const narrowed = await stack.http('PATCH', userPath(done), { token: staff.token, body: narrow, headers });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body).toMatchObject({
      user: { invoiceDataAccess: false, pendingChange: null },
      change: { from: true, to: false, status: 'APPLIED', approval: null, requestedBy: staff.email },
    });
    expect(await storedAccess(done.kit.username)).toBe(false);
    expect(await scopeOf(done)).toBe('order_management');

    const repeated = await stack.http('PATCH', userPath(done), { token: staff.token, body: narrow, headers });
    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual(narrowed.body);
    const noop = await stack.http('PATCH', userPath(done), { token: staff.token, body: narrow });
    expect(noop.status).toBe(200);
    expect(noop.body.change).toBeNull();

    const history = await stack.http('GET', `${userPath(done)}/access-changes`, { token: staff.token });
    expect(history.body.items.map((c: { status: string; to: boolean }) => [c.to, c.status])).toEqual([
      [false, 'APPLIED'],
      [true, 'APPLIED'],
    ]);
  });

  it('leaves the access as it was when the approver rejects; a later widening may be asked for again', async () => {
    const other = await completeOnboarding(
      stack,
      { staffToken: staff.token, approver },
      { subscriptions: ['INVOICING'] },
    );
    const asked = await stack.http('PATCH', userPath(other), {
      token: staff.token,
      body: { invoiceDataAccess: true, approverEmail: approver.email },
    });
    expect(asked.status).toBe(202);
    const rejected = await stack.http('POST', `/v1/access-changes/${asked.body.change.id}/approvals`, {
      token: approver.token,
      body: { decision: 'REJECT', comment: 'not in the contract' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'REJECTED',
      appliedAt: null,
      approval: { status: 'REJECTED', comment: 'not in the contract' },
    });
    expect(await storedAccess(other.kit.username)).toBe(false);
    expect(await scopeOf(other)).toBe('');
    await stack.mail.waitFor((m) => m.to.includes(staff.email) && /^Rejected: invoice data access/.test(m.subject));

    const again = await stack.http('PATCH', userPath(other), {
      token: staff.token,
      body: { invoiceDataAccess: true, approverEmail: approver.email },
    });
    expect(again.status).toBe(202);
    expect(again.body.change.id).toMatch(/-2$/);
  });

  describe('automation users', () => {
    const automationBody = (overrides: Record<string, unknown> = {}) => ({
      name: `lift-${Math.random().toString(36).slice(2, 8)}`,
      email: 'lift@acme.example',
      integrationSystem: 'Other',
      integrationSystemName: 'Storage lift',
      ...overrides,
    });
    const automationCount = async () =>
      (await stack.db.pool.query("SELECT count(*)::int AS n FROM integration_users WHERE scope = 'AUTOMATION'")).rows[0]
        .n as number;

    it('creates one for admins only, across exactly the tenants granted, with its own client whose secret is shown once', async () => {
      const second = await completeOnboarding(
        stack,
        { staffToken: staff.token, approver },
        { subscriptions: ['ORDER_MANAGEMENT'] },
      );
      const body = automationBody({ grants: [done.body.tenant.partnerProvidedId, second.view.tenant.tenantId] });
      expect((await stack.http('POST', '/v1/automation-users', { token: staff.token, body })).status).toBe(403);

      const created = await stack.http('POST', '/v1/automation-users', { token: admin.token, body });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        username: `WSI_${body.name.toUpperCase().replace(/-/g, '_')}`,
        scope: 'AUTOMATION',
        integrationSystem: 'Storage lift',
        invoiceDataAccess: false,
        status: 'active',
        allTenants: false,
        clientId: expect.stringMatching(/^gw_/),
        clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      });
      expect(created.body.grants.map((g: { tenantId: string }) => g.tenantId).sort()).toEqual(
        [done.view.tenant.tenantId, second.view.tenant.tenantId].sort(),
      );
      const token = await oauthToken(stack, created.body, { grant_type: 'client_credentials' });
      expect(token.status).toBe(200);
      expect(claimsOf(token.body.access_token).tenants.sort()).toEqual(
        [done.view.tenant.tenantId, second.view.tenant.tenantId].sort(),
      );
      // The automation user's own invoice access decides, not the tenants' users'.
      expect(token.body.scope).toBe('order_management');
      expect((await stack.http('GET', '/platform/v1/invoices', { token: token.body.access_token })).status).toBe(403);

      const listed = await stack.http('GET', '/v1/automation-users', { token: admin.token });
      expect(listed.body.items.map((u: { username: string }) => u.username)).toContain(created.body.username);
      expect(listed.text).not.toContain(created.body.clientSecret);
      // It belongs to no tenant: the tenants' own lists do not show it.
      const tenantUsers = await stack.http('GET', usersPath(done.view.tenant.tenantId), { token: staff.token });
      expect(tenantUsers.body.items.map((u: { username: string }) => u.username)).not.toContain(created.body.username);
    });

    it('serves every tenant with allTenants, invoices included when allowed', async () => {
      const created = await stack.http('POST', '/v1/automation-users', {
        token: admin.token,
        body: automationBody({ allTenants: true, invoiceDataAccess: true }),
      });
      expect(created.status).toBe(201);
      const token = await oauthToken(stack, created.body, { grant_type: 'client_credentials' });
      expect(claimsOf(token.body.access_token).tenants).toEqual(['*']);
      expect(token.body.scope.split(' ')).toContain('invoicing');
      expect((await stack.http('GET', '/platform/v1/invoices', { token: token.body.access_token })).status).toBe(200);
    });

    it('is idempotent: an Idempotency-Key repeat answers the first (same secret), the same name again is 409', async () => {
      const body = automationBody({ grants: [done.view.tenant.tenantId] });
      const headers = { 'idempotency-key': `automation-${body.name}` };
      const first = await stack.http('POST', '/v1/automation-users', { token: admin.token, body, headers });
      const before = await automationCount();
      const repeat = await stack.http('POST', '/v1/automation-users', { token: admin.token, body, headers });
      expect(repeat.status).toBe(201);
      expect(repeat.body).toEqual(first.body);
      expect(await automationCount()).toBe(before);
      const again = await stack.http('POST', '/v1/automation-users', { token: admin.token, body });
      expect(again.status).toBe(409);
      expect(await automationCount()).toBe(before);
    });

    it('refuses bad input with a 4xx and creates nothing', async () => {
      const before = await automationCount();
      const bad = [
        automationBody(),
        automationBody({ grants: [done.view.tenant.tenantId], allTenants: true }),
        automationBody({ grants: [] }),
        automationBody({ grants: ['no-such-tenant'] }),
        automationBody({ grants: [done.view.tenant.tenantId, done.body.tenant.partnerProvidedId] }),
        automationBody({ allTenants: false }),
        automationBody({ allTenants: true, integrationSystemName: undefined }),
        automationBody({ allTenants: true, name: '' }),
        automationBody({ allTenants: true, email: staff.email }),
        automationBody({ allTenants: true, scope: 'TENANT' }),
      ];
      for (const body of bad) {
        const refused = await stack.http('POST', '/v1/automation-users', { token: admin.token, body });
        expect([refused.status, body]).toEqual([400, body]);
        expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
      }
      const unknown = await stack.http('POST', '/v1/automation-users', {
        token: admin.token,
        body: automationBody({ grants: ['no-such-tenant'] }),
      });
      expect(unknown.body.errors).toEqual([{ path: 'grants.0', message: 'no tenant no-such-tenant' }]);
      expect(await automationCount()).toBe(before);
    });
  });
});

/** A widening nobody decides is reminded, escalated, then expires, and the access stays as it was. */
describe('an undecided invoice access change', () => {
  let stack: Stack;
  const lead = 'access-lead@gangway.example';

  beforeAll(async () => {
    stack = await startStack({
      APPROVAL_REMINDER_INTERVAL: '1s',
      APPROVAL_ESCALATE_AFTER: '2s',
      APPROVAL_EXPIRE_AFTER: '5s',
      ESCALATION_EMAILS: lead,
    });
  });
  afterAll(() => stack?.stop());

  it('reminds the approver, escalates, expires and leaves the access as it was', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    // The tenant's account manager decides when the request names nobody.
    const done = await completeOnboarding(
      stack,
      { staffToken: staff.token, approver },
      {
        tenant: { ...startBody().tenant, accountManagerEmail: approver.email },
        subscriptions: ['INVOICING'],
      },
    );
    const path = `/v1/tenants/${done.body.tenant.partnerProvidedId}/api-users/${done.kit.username}`;
    const asked = await stack.http('PATCH', path, { token: staff.token, body: { invoiceDataAccess: true } });
    expect(asked.status).toBe(202);
    expect(asked.body.change.approval.approverEmail).toBe(approver.email);
    const id = asked.body.change.id;

    await stack.mail.waitFor(
      (m) => m.to.includes(approver.email) && /^Reminder: approval needed: invoice data/.test(m.subject),
      10_000,
    );
    await stack.mail.waitFor((m) => m.to.includes(lead) && /^Escalation: invoice data access/.test(m.subject), 10_000);
    const expired = await pollUntil(
      async () => (await stack.http('GET', `/v1/access-changes/${id}`, { token: staff.token })).body,
      (change) => change.status === 'EXPIRED',
      { timeoutMs: 15_000 },
    );
    expect(expired).toMatchObject({
      status: 'EXPIRED',
      appliedAt: null,
      approval: { status: 'EXPIRED', escalatedTo: [lead] },
    });
    expect(expired.approval.remindersSent).toBeGreaterThanOrEqual(2);
    const stored = await stack.db.pool.query('SELECT invoice_data_access FROM integration_users WHERE username = $1', [
      done.kit.username,
    ]);
    expect(stored.rows[0].invoice_data_access).toBe(false);
    await stack.mail.waitFor((m) => m.to.includes(staff.email) && /^Expired: invoice data access/.test(m.subject));
    await stack.temporal.workflow.getHandle(id).result();
    await recordHistory(
      id,
      'access-change-reminded-escalated-expired',
      createPayloadCodec(requireMasterKeys(stack.config), 'show'),
    );
    const late = await stack.http('POST', `/v1/access-changes/${id}/approvals`, {
      token: approver.token,
      body: { decision: 'APPROVE' },
    });
    expect(late.status).toBe(409);
  });
});
