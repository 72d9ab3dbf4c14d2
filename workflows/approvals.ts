import { condition, patched } from '@temporalio/workflow';
import { db, notify } from './activity-options';
import { superviseApprovals } from './approval-tasks';
import type { Background } from './background';
import type { OnboardingState } from './onboarding-state';
import type { SubscriptionCode } from './types';

/**
 * Asks the approver to decide each requested subscription and waits for every decision, or for the
 * expiry: an undecided request after approvalExpireAfter is EXPIRED and is not assigned.
 */
export async function awaitApprovals(state: OnboardingState, background: Background): Promise<SubscriptionCode[]> {
  const { input, view } = state;
  state.markStep('REQUEST_APPROVAL', 'RUNNING');
  state.setStatus('AWAITING_APPROVAL');
  for (const a of view.approvals) {
    state.audit({ actor: input.startedBy.email, action: 'ASSIGNED', subscription: a.subscription, reason: 'subscription requested', detail: { to: a.approverEmail, stage: a.stage } });
  }
  await notify.notifyApprover({
    onboardingId: view.id,
    approverEmail: input.approverEmail,
    subscriptions: input.request.subscriptions,
    tenantName: input.request.tenant.name,
    startedBy: input.startedBy.email,
  });

  // Onboardings started before approval tasks had reminders, escalation and an audit keep the
  // single deadline they were waiting on.
  if (patched('approval-tasks')) await superviseApprovals(state, background);
  else await awaitDecisionsUntilExpiry(state);
  const approved = view.approvals.filter((a) => a.status === 'APPROVED').map((a) => a.subscription);
  const summary = view.approvals.map((a) => `${a.subscription} ${a.status}`).join(', ');
  state.markStep('REQUEST_APPROVAL', 'DONE', summary);
  return approved;
}

export async function assignSubscriptions(state: OnboardingState, tenantId: string, codes: SubscriptionCode[]): Promise<void> {
  state.markStep('ASSIGN_SUBSCRIPTIONS', 'RUNNING');
  state.setStatus('RUNNING');
  await db.assignSubscriptions({ tenantId, codes });
  for (const code of codes) state.setSubscriptionStatus(code, 'ASSIGNED');
  state.markStep('ASSIGN_SUBSCRIPTIONS', 'DONE', codes.join(', '));
}

async function awaitDecisionsUntilExpiry(state: OnboardingState): Promise<void> {
  const { input } = state;
  const deadline = Date.now() + input.policy.approvalExpireAfterMs;
  let expired = false;
  for (;;) {
    await announceDecisions(state);
    if (state.pendingApprovals().length === 0) break;
    const remaining = deadline - Date.now();
    const woke = remaining > 0 && (await condition(() => state.decisionsToAnnounce.length > 0 || state.pendingApprovals().length === 0, remaining));
    if (!woke) {
      expired = true;
      break;
    }
  }
  if (expired) {
    state.update((v) => {
      for (const approval of state.pendingApprovals()) {
        approval.status = 'EXPIRED';
        const subscription = v.subscriptions.find((s) => s.code === approval.subscription);
        if (subscription) subscription.status = 'EXPIRED';
      }
    });
  }
}

/** The staff member who started the onboarding hears of each decision as it is made. */
async function announceDecisions(state: OnboardingState): Promise<void> {
  const { view, input } = state;
  while (state.decisionsToAnnounce.length > 0) {
    const approval = state.decisionsToAnnounce.shift()!;
    await notify.notifyDecision({ onboardingId: view.id, to: input.startedBy.email, tenantName: input.request.tenant.name, approval });
  }
}
