import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { randomBytes, randomUUID } from 'node:crypto';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { createDataConverter } from '../../lib/data-converter';
import {
  cancelSignal,
  credentialsSubmittedSignal,
  decideApprovalUpdate,
  delegateApprovalUpdate,
  getOnboardingQuery,
  reassignApprovalUpdate,
} from '../../workflows/messages';
import { clientFor, submitCredentials } from '../support/journey';
import { startBody, startStack, type Stack } from '../support/stack';

type Person = { id: string; email: string; token: string };

/**
 * Whoever reaches Temporal without the master key cannot act for anyone: each message type forged
 * straight to Temporal, in plaintext or sealed under another master key, or sealed with the right key
 * but bound to another update, changes nothing (SECURITY.md, "Messages carry proof").
 */
describe('message proof', () => {
  let stack: Stack;
  let portal: PortalStub;
  let connection: Connection;
  let staff: Person;
  let am: Person;
  let otherAm: Person;
  let forgers: [string, Client][];

  beforeAll(async () => {
    stack = await startStack();
    portal = await startPortalStub({ username: 'client1', password: 'right-password' });
    staff = await stack.addUser('staff');
    am = await stack.addUser('approver');
    otherAm = await stack.addUser('approver');
    connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
    const namespace = stack.config.temporal.namespace;
    forgers = [
      ['a plain client', new Client({ connection, namespace })],
      [
        'a codec under another master key',
        new Client({
          connection,
          namespace,
          dataConverter: createDataConverter({ current: randomBytes(32), previous: [] }),
        }),
      ],
      // The right key, as if a payload were copied out of a history: bound to another update id.
      ['the right codec, proof for another update', stack.temporal],
    ];
  });
  afterAll(async () => {
    await connection?.close();
    await portal?.close();
    await stack?.stop();
  });

  const audit = async (id: string) =>
    (await stack.http('GET', `/v1/onboardings/${id}/audit`, { token: staff.token })).body.items as any[];
  const updatesIn = async (workflowId: string) =>
    ((await stack.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes,
    ).length;
  const proof = (workflowId: string, message: string) => ({
    workflowId,
    firstRunId: null,
    message,
    nonce: randomUUID(),
  });

  it('refuses forged decisions, hand-overs, cancellations and submissions; the onboarding goes on', async () => {
    const client = clientFor(portal);
    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: am.email, subscriptions: ['ORDER_MANAGEMENT'], clients: [client] }),
    });
    expect(started.status).toBe(202);
    const { id, workflowId } = started.body;
    const before = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    const auditBefore = await audit(id);

    for (const [name, forger] of forgers) {
      const handle = forger.workflow.getHandle(workflowId);
      const updates = [
        [decideApprovalUpdate, { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE', decidedBy: am.email }],
        [
          reassignApprovalUpdate,
          { subscription: 'ORDER_MANAGEMENT', to: otherAm.email, reason: 'x', requestedBy: am.email },
        ],
        [
          delegateApprovalUpdate,
          { subscription: 'ORDER_MANAGEMENT', to: otherAm.email, reason: 'x', requestedBy: am.email },
        ],
      ] as const;
      for (const [update, input] of updates) {
        const sent = handle.executeUpdate(update as typeof decideApprovalUpdate, {
          args: [{ ...(input as any), proof: proof(workflowId, update.name) }],
          updateId: randomUUID(),
        });
        const refusal = await sent.then(
          () => undefined,
          (err: unknown) => err,
        );
        // Only the key's holder can read the refusal's failure; the others just see it fail.
        if (forger === stack.temporal) {
          expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
          expect(refusal).toMatchObject({ cause: { type: 'MESSAGE_UNPROVEN' } });
        } else expect(refusal).toBeInstanceOf(Error);
      }
      await handle.signal(cancelSignal, {
        reason: `forged by ${name}`,
        requestedBy: staff.email,
        proof: proof(`${workflowId}-elsewhere`, 'cancel'),
      } as any);
    }
    // A query after the signals sees the state they left: unchanged.
    const view = await stack.temporal.workflow.getHandle(workflowId).query(getOnboardingQuery);
    expect(view.status).toBe('AWAITING_APPROVAL');
    expect(view.approvals).toEqual(before.approvals);
    expect(await updatesIn(workflowId)).toBe(0);
    expect(await audit(id)).toEqual(auditBefore);

    // The real approver, through the API, still decides: nothing stalled the workflow.
    const decided = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: am.token,
      body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
    });
    expect(decided.status).toBe(200);
    await stack.waitForOnboarding(id, staff.token, (v) => v.clients[0]?.awaitingCredentials === true);
    // The link's row is written before its mail is sent.
    await stack.mail.waitFor((m) => m.to.includes(client.contactEmail));
    const link = (
      await stack.db.pool.query('SELECT id FROM collector_links WHERE onboarding_id = $1 AND attempt = 1', [id])
    ).rows[0];
    for (const [, forger] of forgers) {
      await forger.workflow.getHandle(workflowId).signal(credentialsSubmittedSignal, {
        clientId: client.partnerProvidedId,
        attempt: 1,
        collectorLinkId: link.id,
        proof: proof(`${workflowId}-elsewhere`, 'credentialsSubmitted'),
      } as any);
    }
    const waiting = await stack.temporal.workflow.getHandle(workflowId).query(getOnboardingQuery);
    expect(waiting.clients[0]).toMatchObject({ awaitingCredentials: true, attempts: 0 });

    await submitCredentials(stack, client.contactEmail, 1, 'right-password');
    const done = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(done.clients[0]).toMatchObject({ connectivity: 'CONNECTED', attempts: 1 });
    const actions = (await audit(id)).map((e) => `${e.actor} ${e.action}`);
    expect(actions.filter((a) => a.endsWith('APPROVED'))).toEqual([`${am.email} APPROVED`]);
    expect(actions.some((a) => /REASSIGNED|DELEGATED/.test(a))).toBe(false);
  });
});
