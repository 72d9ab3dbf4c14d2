import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  validateDecision,
  validateDelegate,
  validateReassign,
  type OnboardingInput,
  type OnboardingResult,
  type SubscriptionCode,
} from '../domain';
import { db, notify } from './activity-options';
import { applyDecision, applyDelegate, applyReassign, refusedAsFailure } from './approval-decisions';
import { assignSubscriptions, awaitApprovals } from './approvals';
import { Background } from './background';
import { registerAmendments, registerResends, registerRetries } from './client-actions';
import { collectAndVerify, RetriedPaths, Submissions } from './clients';
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
import { PATCHES } from './patches';
import { Projector } from './projector';
import { provisionCustomer, reuseLiveCustomer } from './provisioning';
import { OnboardingState } from './state';
import { compensate, skipRemaining, step } from './steps';
import { showInTemporal } from './visibility';

/**
 * Takes one B2B customer from nothing to a live API integration: tenant, integration user, client
 * credentials, approved subscriptions, verified client portals, and the kit in the customer's hands.
 */
export async function onboardingWorkflow(input: OnboardingInput): Promise<OnboardingResult> {
  const state = new OnboardingState(input, workflowInfo().workflowId);
  // The newest patch first: it implies the older ones, so a new run records it alone (workflows/patches.ts).
  const carries = patched(PATCHES.progressWithSteps);
  const showProjected = showInTemporal(state, carries);
  const submissions = new Submissions();
  const projector = new Projector(state, showProjected, carries);
  state.carry = (schedule) => projector.carrying(schedule);
  const undo = new Compensations();
  const background = new Background();
  const main = new CancellationScope();
  const gate = new MessageGate();
  const retried = new RetriedPaths(main);
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
  const actions = { state, submissions, projector, gate, retried, isFinished: () => finished };
  registerResends(actions);
  registerRetries(actions);
  registerAmendments(actions);
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
      const outcome = await runSteps(state, submissions, undo, background, retried);
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
  retried: RetriedPaths,
): Promise<OnboardingResult> {
  // The amended request (PATCH): the tenant and subscriptions never change, clients and notify may.
  const { request } = state;
  const { id: onboardingId } = state.view;
  const { tenantId, username } = state.input.expansion
    ? reuseLiveCustomer(state)
    : await provisionCustomer(state, undo);

  const approved = await approveAndAssign(state, tenantId, undo, background);
  if (approved === 'REJECTED') {
    skipRemaining(state, 'no subscription approved');
    await undo.runAll();
    return { status: 'REJECTED', reason: 'no requested subscription was approved' };
  }

  await verifyClients(state, submissions, retried);

  state.setStatus('RUNNING');
  if (state.input.expansion) {
    // A live customer keeps its credentials: it is told what was added, and no new secret is issued.
    await step(
      state,
      'DELIVER_KIT',
      (progress) =>
        notify.announceExpansion({
          progress,
          onboardingId,
          tenantId,
          partnerProvidedId: request.tenant.partnerProvidedId,
          notify: request.notify,
          subscriptions: approved,
          clients: state.view.clients.map((c) => ({
            partnerProvidedId: c.partnerProvidedId,
            connectivity: c.connectivity,
          })),
        }),
      'told the customer what was added; no new secret',
    );
  } else {
    await step(state, 'DELIVER_KIT', (progress) =>
      notify.deliverKit({
        progress,
        onboardingId,
        notifyEmail: request.notify.email,
        username,
        subscriptions: approved,
        ttlMs: state.input.policy.kitLinkTtlMs,
        // Only an input field: the same activity is scheduled either way, so no patch is needed.
        sendMail: request.notify.sendCredentials !== false,
      }),
    );
  }
  // A client retried while the kit went out is still joined: the onboarding never ends before it.
  await retried.join();
  retried.closing = true;
  if (retried.retried) summariseClients(state);
  return { status: 'COMPLETED', reason: null };
}

/**
 * Approval, then assignment with its undo (which unassigns only what this onboarding assigned). An
 * expansion that asks for no subscription (a client added later) skips both.
 */
async function approveAndAssign(
  state: OnboardingState,
  tenantId: string,
  undo: Compensations,
  background: Background,
): Promise<SubscriptionCode[] | 'REJECTED'> {
  if (state.input.expansion && state.input.request.subscriptions.length === 0) {
    state.markStep('REQUEST_APPROVAL', 'SKIPPED', 'no subscriptions requested');
    state.markStep('ASSIGN_SUBSCRIPTIONS', 'SKIPPED', 'no subscriptions requested');
    return [];
  }
  const approved = await awaitApprovals(state, background);
  if (approved.length === 0) return 'REJECTED';

  await assignSubscriptions(state, tenantId, approved);
  undo.push('ASSIGN_SUBSCRIPTIONS', () =>
    compensate(state, 'ASSIGN_SUBSCRIPTIONS', () => db.unassignSubscriptions({ tenantId, codes: approved })),
  );
  return approved;
}

/** Collection and verification run per client, all at once; the steps summarise them. */
async function verifyClients(state: OnboardingState, submissions: Submissions, retried: RetriedPaths): Promise<void> {
  const { clients } = state.request;
  if (clients.length === 0) {
    state.markStep('COLLECT_CLIENT_CREDENTIALS', 'SKIPPED', 'no clients to onboard');
    state.markStep('VERIFY_CONNECTIVITY', 'SKIPPED', 'no clients to onboard');
    return;
  }
  state.markStep('COLLECT_CLIENT_CREDENTIALS', 'RUNNING');
  await Promise.all(clients.map((client) => collectAndVerify(state, submissions, client)));
  await retried.join();
  summariseClients(state);
}

/** The steps summarise the clients' paths: collection done, verification DONE only if every client connected. */
function summariseClients(state: OnboardingState): void {
  const { clients } = state.request;
  const connected = state.view.clients.filter((c) => c.connectivity === 'CONNECTED').length;
  const summary = `${connected} of ${clients.length} client(s) connected`;
  if (state.step('COLLECT_CLIENT_CREDENTIALS').status === 'RUNNING')
    state.markStep('COLLECT_CLIENT_CREDENTIALS', 'DONE');
  // A client whose portal never accepted credentials stays visible as FAILED; the integration itself
  // is still handed over, since the customer's API access does not depend on its clients' portals.
  state.markStep('VERIFY_CONNECTIVITY', connected === clients.length ? 'DONE' : 'FAILED', summary);
}
