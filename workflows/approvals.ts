import type { SubscriptionCode } from '../domain';
import { db, notify } from './activity-options';
import { superviseApprovals } from './approval-tasks';
import type { Background } from './background';
import type { OnboardingState } from './state';

/**
 * Asks the approver to decide each requested subscription and waits for every decision, or for the
 * expiry: an undecided request after approvalExpireAfter is EXPIRED and is not assigned.
 */
export async function awaitApprovals(state: OnboardingState, background: Background): Promise<SubscriptionCode[]> {
  const { input, view } = state;
  state.markStep('REQUEST_APPROVAL', 'RUNNING');
  state.setStatus('AWAITING_APPROVAL');
  for (const a of view.approvals) {
    state.audit({
      actor: input.startedBy.email,
      action: 'ASSIGNED',
      subscription: a.subscription,
      reason: 'subscription requested',
      detail: { to: a.approverEmail, stage: a.stage },
    });
  }
  await state.carry((progress) =>
    notify.notifyApprover({
      onboardingId: view.id,
      approverEmail: input.approverEmail,
      subscriptions: input.request.subscriptions,
      tenantName: input.request.tenant.name,
      startedBy: input.startedBy.email,
      progress,
    }),
  );

  await superviseApprovals(state, background);
  const approved = view.approvals.filter((a) => a.status === 'APPROVED').map((a) => a.subscription);
  const summary = view.approvals.map((a) => `${a.subscription} ${a.status}`).join(', ');
  state.markStep('REQUEST_APPROVAL', 'DONE', summary);
  return approved;
}

export async function assignSubscriptions(
  state: OnboardingState,
  tenantId: string,
  codes: SubscriptionCode[],
): Promise<void> {
  state.markStep('ASSIGN_SUBSCRIPTIONS', 'RUNNING');
  state.setStatus('RUNNING');
  // The roles ride in the activity's input only: the same command either way, so no patch is needed.
  await state.carry((progress) =>
    db.assignSubscriptions({ tenantId, codes, roles: state.input.request.subscriptionRoles, progress }),
  );
  for (const code of codes) state.setSubscriptionStatus(code, 'ASSIGNED');
  state.markStep('ASSIGN_SUBSCRIPTIONS', 'DONE', codes.join(', '));
}
