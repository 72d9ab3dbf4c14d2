import { temporal } from '@temporalio/proto';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { SEARCH_ATTRIBUTE_KEYS } from '../../workflows/search-attributes';
import { clientFor, submitCredentials } from '../support/journey';
import { startBody, startStack, type Stack } from '../support/stack';
import { pollUntil } from '../support/wait';

/** What Temporal's list and workflow page show of an onboarding: search attributes, summary and details. */
describe('an onboarding in Temporal visibility', () => {
  let stack: Stack;
  let portal: PortalStub;

  beforeAll(async () => {
    stack = await startStack();
    portal = await startPortalStub({ username: 'client1', password: 'right' });
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
  });

  /** Polls the visibility store (eventually consistent) until the query lists exactly the workflow. */
  async function listedBy(query: string, workflowId: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ids: string[] = [];
      for await (const execution of stack.temporal.workflow.list({ query })) ids.push(execution.workflowId);
      if (ids.includes(workflowId)) return;
      if (Date.now() > deadline) throw new Error(`${workflowId} is not listed by ${query} (listed: ${ids.join(', ')})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('is found by OnboardingStatus while awaiting approval and follows the process to COMPLETED', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const body = startBody({ approverEmail: approver.email, subscriptions: ['ORDER_MANAGEMENT'], clients: [] });
    const partnerId = body.tenant.partnerProvidedId;
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(started.status).toBe(202);
    const { id, workflowId } = started.body;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');

    await listedBy(
      `OnboardingStatus="AWAITING_APPROVAL" AND PartnerProvidedId="${partnerId}" AND CurrentStep="REQUEST_APPROVAL"`,
      workflowId,
    );
    const handle = stack.temporal.workflow.getHandle(workflowId);
    const described = await handle.describe();
    expect(await described.staticSummary()).toBe(
      `Onboarding Acme Shipping (${partnerId}): ORDER_MANAGEMENT; 0 client(s)`,
    );
    const metadata = await handle.query(workflowMetadataQuery);
    expect(metadata.currentDetails).toContain('**AWAITING_APPROVAL** at REQUEST_APPROVAL');
    expect(metadata.currentDetails).toContain('Awaiting approval: ORDER_MANAGEMENT');
    // Nothing personal: the approver's and the contact's addresses stay out of what the UI lists.
    expect(await described.staticDetails()).toContain(`**Tenant** Acme Shipping (${partnerId}), plan TRADE`);
    expect(
      `${metadata.currentDetails}${await described.staticSummary()}${await described.staticDetails()}`,
    ).not.toMatch(/@/);

    const approve = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: approver.token,
      body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
    });
    expect(approve.status).toBe(200);
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');

    await listedBy(`OnboardingStatus="COMPLETED" AND CurrentStep="DELIVER_KIT"`, workflowId);
    const done = await handle.describe();
    expect(done.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.PartnerProvidedId)).toBe(partnerId);
    expect(done.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.OnboardingStatus)).toBe('COMPLETED');
    const history = await handle.fetchHistory();
    // Upserted on the way, only when an attribute changed: not once per change of the view.
    const upserts = history.events!.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
    expect(upserts).toBeGreaterThanOrEqual(2);
    expect(upserts).toBeLessThan(20);
  });

  it('upserts at most once per workflow task, only what changed, and ends on the final values', async () => {
    // The bench's happy path (bench/lib/drivers.ts runOurs): two subscriptions approved, one client
    // whose first credentials are right.
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const client = clientFor(portal);
    const body = startBody({ approverEmail: approver.email, clients: [client] });
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(started.status).toBe(202);
    const { id, workflowId } = started.body;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    for (const subscription of body.subscriptions) {
      const decided = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
        token: approver.token,
        body: { subscription, decision: 'APPROVE' },
      });
      expect(decided.status).toBe(200);
    }
    // While it waits for the client's credentials, Temporal's list shows it waiting (submitted at once, the
    // status could pass before the collector link's activity is known to have ended: then it is not shown).
    const handle = stack.temporal.workflow.getHandle(workflowId);
    const statusInTemporal = async () =>
      (await handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.OnboardingStatus);
    expect(await pollUntil(statusInTemporal, (status) => status === 'AWAITING_CREDENTIALS')).toBe(
      'AWAITING_CREDENTIALS',
    );
    await submitCredentials(stack, client.contactEmail, 1, 'right');
    expect(await handle.result()).toEqual({ status: 'COMPLETED', reason: null });

    // Each upsert as the attributes it carries (search attributes are never encoded by the codec), with the
    // workflow task whose commands it came with. Temporal's own TemporalChangeVersion upserts count too.
    const { EventType } = temporal.api.enums.v1;
    let tasks = 0;
    const upserts: { task: number; attributes: Record<string, string> }[] = [];
    for (const e of (await handle.fetchHistory()).events ?? []) {
      if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) tasks++;
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      if (!fields) continue;
      const attributes = Object.fromEntries(
        Object.entries(fields).map(([name, p]) => [name, Buffer.from(p.data ?? new Uint8Array()).toString('utf8')]),
      );
      upserts.push({ task: tasks, attributes });
    }
    expect(upserts.length).toBeLessThanOrEqual(tasks);
    const ours = upserts.filter((u) => 'OnboardingStatus' in u.attributes);
    // The onboarding's own upserts: never two in one workflow task, never one that repeats the last.
    const perTask = ours.map((u) => u.task);
    expect(perTask).toEqual([...new Set(perTask)]);
    for (let i = 1; i < upserts.length; i++) expect(upserts[i].attributes).not.toEqual(upserts[i - 1].attributes);
    // Where it waits on people, and the end. A status it passes through while one activity runs (here
    // VERIFYING_CONNECTIVITY, the one portal check that connects) is shown only if the view is still there
    // once that activity has ended (workflows/projector.ts: the attributes follow what is known written).
    expect(ours.map((u) => JSON.parse(u.attributes.OnboardingStatus))).toEqual(
      expect.arrayContaining(['AWAITING_APPROVAL', 'AWAITING_CREDENTIALS', 'COMPLETED']),
    );
    expect(ours[ours.length - 1].attributes).toEqual({
      OnboardingStatus: '"COMPLETED"',
      PartnerProvidedId: JSON.stringify(body.tenant.partnerProvidedId),
      CurrentStep: '"DELIVER_KIT"',
    });
    const done = await handle.describe();
    expect(done.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.OnboardingStatus)).toBe('COMPLETED');
    expect(done.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.CurrentStep)).toBe('DELIVER_KIT');
    expect(done.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.PartnerProvidedId)).toBe(body.tenant.partnerProvidedId);
  });
});
