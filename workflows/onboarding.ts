import { ApplicationFailure, CancellationScope, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  validateDecision,
  validateDelegate,
  validateReassign,
  type OnboardingInput,
  type OnboardingResult,
  type StepName,
} from '../domain';
import { db, notify } from './activity-options';
import { applyDecision, applyDelegate, applyReassign, refusedAsFailure } from './approval-decisions';
import { assignSubscriptions, awaitApprovals } from './approvals';
import { Background } from './background';
import { collectAndVerify, Submissions } from './clients';
import { Compensations } from './compensations';
import { MessageGate } from './message-gate';
import {
  cancelSignal,
  credentialsSubmittedSignal,
  decideApprovalUpdate,
  delegateApprovalUpdate,
  getOnboardingQuery,
  reassignApprovalUpdate,
} from './messages';
import { Projector } from './projector';
import { OnboardingState } from './state';
import { showInTemporal } from './visibility';

/**
 * Takes one B2B customer from nothing to a live API integration: tenant, integration user, client
 * credentials, approved subscriptions, verified client portals, and the kit in the customer's hands.
 */
export async function onboardingWorkflow(input: OnboardingInput): Promise<OnboardingResult> {
  const state = new OnboardingState(input, workflowInfo().workflowId);
  showInTemporal(state);
  const submissions = new Submissions();
  const projector = new Projector(state);
  const undo = new Compensations();
  const background = new Background();
  const main = new CancellationScope();
  const gate = new MessageGate();
  let finished = false;

  setHandler(getOnboardingQuery, () => state.view);
  setHandler(
    decideApprovalUpdate,
    async (decision) => {
      const approval = applyDecision(state, decision);
      await projector.caughtUp(state.view.version);
      return approval;
    },
    {
      validator: (decision) => {
        gate.requireUpdate(decideApprovalUpdate.name, decision);
        refusedAsFailure(() => validateDecision(state.view, decision));
      },
    },
  );
  setHandler(
    reassignApprovalUpdate,
    async (request) => {
      const approval = applyReassign(state, request);
      await projector.caughtUp(state.view.version);
      return approval;
    },
    {
      validator: (request) => {
        gate.requireUpdate(reassignApprovalUpdate.name, request);
        refusedAsFailure(() => validateReassign(state.view, request));
      },
    },
  );
  setHandler(
    delegateApprovalUpdate,
    async (request) => {
      const approval = applyDelegate(state, request);
      await projector.caughtUp(state.view.version);
      return approval;
    },
    {
      validator: (request) => {
        gate.requireUpdate(delegateApprovalUpdate.name, request);
        refusedAsFailure(() => validateDelegate(state.view, request));
      },
    },
  );
  setHandler(credentialsSubmittedSignal, (submission) => {
    if (gate.admitSignal(credentialsSubmittedSignal.name, submission)) submissions.record(submission);
  });
  setHandler(cancelSignal, (request) => {
    if (finished || !gate.admitSignal(cancelSignal.name, request)) return;
    state.change((v) => (v.reason = `cancelled by ${request.requestedBy}: ${request.reason}`));
    main.cancel();
  });

  // The read model must reach its final state even when the onboarding itself is cancelled.
  const projecting = CancellationScope.nonCancellable(() => projector.run(() => finished));
  try {
    const result = await main.run(async () => {
      const outcome = await runSteps(state, submissions, undo, background);
      await background.join();
      return outcome;
    });
    state.setStatus(result.status, result.reason);
    return result;
  } catch (err) {
    skipRemaining(state, isCancellation(err) ? 'cancelled' : 'not reached');
    await CancellationScope.nonCancellable(() => undo.runAll());
    await background.settle();
    if (isCancellation(err)) {
      state.setStatus('CANCELLED');
      return { status: 'CANCELLED', reason: state.view.reason };
    }
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    state.setStatus('FAILED', reason);
    throw ApplicationFailure.create({
      type: 'ONBOARDING_FAILED',
      message: reason,
      nonRetryable: true,
      cause: err as Error,
    });
  } finally {
    finished = true;
    await projecting;
  }
}

async function runSteps(
  state: OnboardingState,
  submissions: Submissions,
  undo: Compensations,
  background: Background,
): Promise<OnboardingResult> {
  const { request } = state.input;
  const { workflowId, id: onboardingId } = state.view;

  const { tenantId } = await step(state, 'CREATE_TENANT', () =>
    db.createTenant({ workflowId, onboardingId, tenant: request.tenant, subscriptions: request.subscriptions }),
  );
  state.change((v) => (v.tenant.tenantId = tenantId));
  undo.push('CREATE_TENANT', () =>
    compensate(state, 'CREATE_TENANT', () => db.archiveTenant({ onboardingId, tenantId })),
  );

  const { username } = await step(state, 'CREATE_INTEGRATION_USER', () =>
    db.createIntegrationUser({
      onboardingId,
      tenantId,
      partnerProvidedId: request.tenant.partnerProvidedId,
      integrationUser: request.integrationUser,
    }),
  );
  state.change((v) => (v.integrationUser.username = username));
  undo.push('CREATE_INTEGRATION_USER', () =>
    compensate(state, 'CREATE_INTEGRATION_USER', () => db.disableIntegrationUser({ onboardingId })),
  );

  const { clientId } = await step(state, 'ISSUE_CLIENT_CREDENTIALS', () =>
    db.issueClientCredentials({
      onboardingId,
      tenantId,
      administrators: request.clientAdministrators ?? [state.input.startedBy.email],
    }),
  );
  state.change((v) => (v.clientId = clientId));
  undo.push('ISSUE_CLIENT_CREDENTIALS', () =>
    compensate(state, 'ISSUE_CLIENT_CREDENTIALS', () => db.revokeClientCredentials({ onboardingId })),
  );

  const approved = await awaitApprovals(state, background);
  if (approved.length === 0) {
    skipRemaining(state, 'no subscription approved');
    await undo.runAll();
    return { status: 'REJECTED', reason: 'no requested subscription was approved' };
  }

  await assignSubscriptions(state, tenantId, approved);
  undo.push('ASSIGN_SUBSCRIPTIONS', () =>
    compensate(state, 'ASSIGN_SUBSCRIPTIONS', () => db.unassignSubscriptions({ tenantId, codes: approved })),
  );

  await verifyClients(state, submissions);

  state.setStatus('RUNNING');
  await step(state, 'DELIVER_KIT', () =>
    notify.deliverKit({
      onboardingId,
      notifyEmail: request.notify.email,
      username,
      subscriptions: approved,
      ttlMs: state.input.policy.kitLinkTtlMs,
    }),
  );
  return { status: 'COMPLETED', reason: null };
}

/** Collection and verification run per client, all at once; the steps summarise them. */
async function verifyClients(state: OnboardingState, submissions: Submissions): Promise<void> {
  const { clients } = state.input.request;
  if (clients.length === 0) {
    state.markStep('COLLECT_CLIENT_CREDENTIALS', 'SKIPPED', 'no clients to onboard');
    state.markStep('VERIFY_CONNECTIVITY', 'SKIPPED', 'no clients to onboard');
    return;
  }
  state.markStep('COLLECT_CLIENT_CREDENTIALS', 'RUNNING');
  await Promise.all(clients.map((client) => collectAndVerify(state, submissions, client)));
  const connected = state.view.clients.filter((c) => c.connectivity === 'CONNECTED').length;
  const summary = `${connected} of ${clients.length} client(s) connected`;
  if (state.step('COLLECT_CLIENT_CREDENTIALS').status === 'RUNNING')
    state.markStep('COLLECT_CLIENT_CREDENTIALS', 'DONE');
  // A client whose portal never accepted credentials stays visible as FAILED; the integration itself
  // is still handed over, since the customer's API access does not depend on its clients' portals.
  state.markStep('VERIFY_CONNECTIVITY', connected === clients.length ? 'DONE' : 'FAILED', summary);
}

async function step<T>(state: OnboardingState, name: StepName, run: () => Promise<T>): Promise<T> {
  state.markStep(name, 'RUNNING');
  try {
    const result = await run();
    state.markStep(name, 'DONE');
    return result;
  } catch (err) {
    if (!isCancellation(err))
      state.markStep(name, 'FAILED', ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message);
    throw err;
  }
}

async function compensate(state: OnboardingState, name: StepName, undo: () => Promise<unknown>): Promise<void> {
  await undo();
  state.markStep(name, 'COMPENSATED');
}

/** Steps that will not run now, including one interrupted by cancellation, end SKIPPED. */
function skipRemaining(state: OnboardingState, why = 'not needed'): void {
  for (const s of state.view.steps)
    if (s.status === 'PENDING' || s.status === 'RUNNING') state.markStep(s.name, 'SKIPPED', why);
}
