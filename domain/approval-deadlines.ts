import type { ApprovalView } from './approvals';
import type { OnboardingPolicy, StepView } from './onboarding';

/** When a pending approval task escalates and expires, as the workflow's supervision computes them. */
export interface ApprovalDeadlines {
  /** null once it has escalated (escalatedTo says to whom) or when it is no longer pending. */
  escalatesAt: string | null;
  expiresAt: string | null;
}

/**
 * The supervision (workflows/approval-tasks.ts) starts every task's clock when REQUEST_APPROVAL starts:
 * expiry counts from then and never moves; escalation counts from then or from the latest hand-over
 * to a new approver (reassignment, next stage), whichever is later. The policy is the one configured
 * now, which is the one a running onboarding got at its start unless someone has changed it since.
 */
export function approvalDeadlines(
  steps: StepView[],
  approval: ApprovalView,
  policy: Pick<OnboardingPolicy, 'approvalEscalateAfterMs' | 'approvalExpireAfterMs'>,
): ApprovalDeadlines {
  const askedAt = steps.find((s) => s.name === 'REQUEST_APPROVAL')?.startedAt;
  if (approval.status !== 'PENDING' || !askedAt) return { escalatesAt: null, expiresAt: null };
  const asked = Date.parse(askedAt);
  const handedOver = approval.assignedAt ? Math.max(asked, Date.parse(approval.assignedAt)) : asked;
  const escalated = (approval.escalatedTo ?? []).length > 0;
  return {
    escalatesAt: escalated ? null : new Date(handedOver + policy.approvalEscalateAfterMs).toISOString(),
    expiresAt: new Date(asked + policy.approvalExpireAfterMs).toISOString(),
  };
}
