import type { Pool } from 'pg';
import type { ApiDeps } from '../../api/deps';
import { HttpProblem } from '../../api/problem';
import { startOnboarding } from '../../api/use-cases/start-onboarding';
import { loadDataKey } from '../../db/data-keys';
import { findOpenOnboardingId } from '../../db/onboardings';
import { lookUpStartRules } from '../../db/start-lookups';
import { findTenantVersion, insertTenant, resolveTenantId, writeTenantVersion } from '../../db/tenants';
import { withTransaction } from '../../db/transaction';
import { findFirstTechAm, findUserByEmail } from '../../db/users';
import { onboardingWorkflowId } from '../../domain';
import { requireMasterKeys } from '../../lib/config';
import { createSecrets } from '../../lib/secrets';
import { startBody, startStack, type Stack } from '../support/stack';
import { countingPool } from '../support/counting-pool';
import { pollUntil } from '../support/wait';

/**
 * The PostgreSQL round trips of one start (issue #18): each costs a write system call and a wait, and a
 * start's time is mostly waiting. The start runs on the API's own use-case with a pool that records every
 * statement; a round is a statement sent while no other is in flight, so lookups sent together count once.
 */
describe('round trips of POST /v1/onboardings', () => {
  let stack: Stack;
  let staff: { id: string; email: string; token: string };
  let approver: { email: string };
  let administrator: { email: string };
  let counted: ReturnType<typeof countingPool>;
  let deps: ApiDeps;

  beforeAll(async () => {
    stack = await startStack();
    staff = await stack.addUser('staff');
    approver = await stack.addUser('approver');
    administrator = await stack.addUser('staff');
    counted = countingPool(stack.db.pool);
    const secrets = createSecrets(await loadDataKey(stack.db.pool, requireMasterKeys(stack.config)));
    // Only what a start uses; the HTTP layer (authentication, rate limits) is not the start's own work.
    deps = { config: stack.config, pool: counted.pool, temporal: stack.temporal, secrets } as unknown as ApiDeps;
  });
  afterAll(() => stack?.stop());

  const addTenant = (partnerProvidedId: string, options?: { archived?: boolean }) =>
    addTenantTo(stack.db.pool, partnerProvidedId, options);
  const caller = () => ({ id: staff.id, email: staff.email, role: 'staff' as const });

  it('starts with one query for every rule, one insert and Temporal; the workflow records its run', async () => {
    const body = startBody({ approverEmail: approver.email, clientAdministrators: [staff.email, administrator.email] });
    counted.reset();
    const answer = await startOnboarding(deps, { caller: caller(), body });
    expect(answer.status).toBe(202);
    expect(counted.statements()).toEqual(['SELECT', 'INSERT']);
    expect(counted.rounds()).toBe(2);

    // A GET right after the 202 shows it; the workflow's first projection records the run the API started.
    const { id, workflowId } = answer.body as { id: string; workflowId: string };
    expect((await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token })).status).toBe(200);
    const described = await stack.temporal.workflow.getHandle(workflowId).describe();
    const recorded = await pollUntil(
      async () =>
        (await stack.db.pool.query('SELECT first_run_id FROM onboardings WHERE id = $1', [id])).rows[0].first_run_id,
      (runId) => runId !== null,
    );
    expect(recorded).toBe(described.runId);
  });

  it('counts the rate limit beside the lookups: a start waits for one round trip of the two', async () => {
    const body = startBody({ approverEmail: approver.email });
    counted.reset();
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    const answer = startOnboarding(deps, { caller: caller(), body, admitted });
    // The lookups go out and come back while the limit is still being counted; nothing is written before it passes.
    await pollUntil(
      async () => counted.statements().length > 0 && counted.inFlight() === 0,
      (answered) => answered,
    );
    expect(counted.statements()).toEqual(['SELECT']);
    admit();
    expect((await answer).status).toBe(202);
    expect(counted.statements()).toEqual(['SELECT', 'INSERT']);
  });

  it('refuses a second open onboarding of the tenant from that one query, writing nothing', async () => {
    const body = startBody({ approverEmail: approver.email });
    const first = await startOnboarding(deps, { caller: caller(), body });
    counted.reset();
    const second = startOnboarding(deps, { caller: caller(), body });
    await expect(second).rejects.toBeInstanceOf(HttpProblem);
    await expect(second).rejects.toMatchObject({
      status: 409,
      extra: { existingId: (first.body as { id: string }).id },
    });
    expect(counted.statements()).toEqual(['SELECT']);
  });

  it('refuses a first onboarding of a live tenant from that one query, and not of an archived one (its dry run passes)', async () => {
    const { partnerProvidedId } = startBody().tenant;
    const archived = await addTenant(partnerProvidedId, { archived: true });
    const body = startBody({ approverEmail: approver.email, tenant: { ...startBody().tenant, partnerProvidedId } });
    counted.reset();
    expect((await startOnboarding(deps, { caller: caller(), body: { ...body, testMode: true } })).status).toBe(200);
    expect(counted.statements()).toEqual(['SELECT']);

    const live = await addTenant(partnerProvidedId);
    counted.reset();
    const refused = startOnboarding(deps, { caller: caller(), body });
    await expect(refused).rejects.toMatchObject({
      status: 409,
      detail: expect.stringContaining(`tenant ${partnerProvidedId} is live (tenantId ${live})`),
      extra: { tenantId: live },
    });
    expect(counted.statements()).toEqual(['SELECT']);
    expect(live).not.toBe(archived);
  });

  it('refuses an invalid start from that one query, whatever it names', async () => {
    counted.reset();
    const invalid = startOnboarding(deps, {
      caller: caller(),
      body: startBody({ approverEmail: 'nobody@x.example', clientAdministrators: ['a@x.example', 'b@x.example'] }),
    });
    await expect(invalid).rejects.toMatchObject({ status: 400 });
    expect(counted.statements()).toEqual(['SELECT']);
  });

  // The one query decides as the lookups it replaced, each asked alone: users by email (trimmed, any case),
  // the first TECH_AM, the open onboarding, and the tenant a partnerProvidedId (or tenantId) names.
  it('looks up what findUserByEmail, findFirstTechAm, findOpenOnboardingId, resolveTenantId and findTenantVersion did', async () => {
    const { pool } = stack.db;
    const pat = await stack.addUser('approver', { email: 'Pat.Approver@Example.com' });
    const jo = await stack.addUser('staff');
    await stack.addUser('approver', { approverKind: 'TECH_AM' });
    const open = startBody({ approverEmail: approver.email });
    const opened = (await startOnboarding(deps, { caller: caller(), body: open })).body as { id: string };
    // Its workflow creates its tenant: the lookups below compare a stable state only once that is done.
    await pollUntil(
      () => resolveTenantId(pool, open.tenant.partnerProvidedId),
      (tenantId) => tenantId !== undefined,
    );
    const { partnerProvidedId: live } = startBody().tenant;
    const { partnerProvidedId: gone } = startBody().tenant;
    const { partnerProvidedId: back } = startBody().tenant;
    const liveId = await addTenantTo(pool, live);
    await addTenantTo(pool, gone, { archived: true });
    await addTenantTo(pool, back, { archived: true });
    await addTenantTo(pool, back);

    const emails = [` ${pat.email.toLowerCase()} `, jo.email.toUpperCase(), 'nobody@x.example', ''];
    const identifiers = [live, gone, back, 'unknown-1', liveId, liveId.toUpperCase(), open.tenant.partnerProvidedId];
    for (const email of emails)
      for (const identifier of identifiers) {
        const workflowId = onboardingWorkflowId(identifier);
        const found = await lookUpStartRules(pool, {
          mailboxEmail: email,
          approverEmail: email,
          administratorEmails: [email, null, pat.email],
          firstTechAm: true,
          liveTenantOf: { workflowId, partnerProvidedId: identifier },
        });
        const user = await findUserByEmail(pool, email);
        const tenantId = await resolveTenantId(pool, identifier);
        const tenant = tenantId ? await findTenantVersion(pool, tenantId) : undefined;
        expect(found).toEqual({
          mailboxIsUser: user !== undefined,
          approver: user && { email: user.email, role: user.role },
          administratorsRegistered: [user !== undefined, false, true],
          firstTechAm: await findFirstTechAm(pool),
          openOnboardingId: await findOpenOnboardingId(pool, workflowId),
          tenant: tenant && { tenantId: tenant.tenantId, archived: tenant.archived },
        });
      }
    const openOf = { workflowId: onboardingWorkflowId(open.tenant.partnerProvidedId), partnerProvidedId: 'x' };
    expect(
      (await lookUpStartRules(pool, { administratorEmails: [], firstTechAm: false, liveTenantOf: openOf }))
        .openOnboardingId,
    ).toBe(opened.id);
    const nothingAsked = await lookUpStartRules(pool, { administratorEmails: [], firstTechAm: false });
    expect(nothingAsked).toEqual({
      mailboxIsUser: false,
      approver: undefined,
      administratorsRegistered: [],
      firstTechAm: undefined,
      openOnboardingId: undefined,
      tenant: undefined,
    });
  });
});

/** A tenant with its version 1, live or archived (as an offboarding leaves it); its tenantId. */
async function addTenantTo(pool: Pool, partnerProvidedId: string, { archived = false } = {}): Promise<string> {
  return withTransaction(pool, async (tx) => {
    const data = { partnerProvidedId, name: 'Acme Shipping', plan: 'TRADE' };
    const tenantId = (await insertTenant(tx, { data, at: new Date() }))!;
    if (archived) await writeTenantVersion(tx, tenantId, data, true, new Date());
    return tenantId;
  });
}
