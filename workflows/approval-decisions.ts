import { ApplicationFailure } from '@temporalio/workflow';
import {
  approvalTask,
  earlierDecision,
  RuleRefusal,
  type ApprovalView,
  type DecideApprovalInput,
  type ReassignApprovalInput,
} from '../domain';
import type { OnboardingState } from './state';

/**
 * What a decision, a reassignment or a delegation does to the onboarding, once its rule
 * (domain/approval-rules.ts) has let it through the Update's validator.
 */

/** Runs a rule in an Update validator: its refusal becomes a failure of the same type, which the API maps. */
export function refusedAsFailure(rule: () => void): void {
  try {
    rule();
  } catch (err) {
    if (err instanceof RuleRefusal)
      throw ApplicationFailure.create({ type: err.type, message: err.message, nonRetryable: true });
    throw err;
  }
}

/** Records a decision once; an approval at the first of two stages moves on to the TECH_AM. */
export function applyDecision(state: OnboardingState, input: DecideApprovalInput): ApprovalView {
  const approval = approvalTask(state.view, input.subscription);
  if (approval.status !== 'PENDING' || earlierDecision(approval, input.decidedBy)) return approval;
  const stage = approval.stage ?? 'AM';
  const comment = input.comment ?? null;
  const stages = approval.stages ?? [stage];
  const next = input.decision === 'APPROVE' ? stages[stages.indexOf(stage) + 1] : undefined;
  state.change((_, now) => {
    approval.decisions?.push({ stage, decision: input.decision, decidedBy: input.decidedBy, decidedAt: now, comment });
    approval.decidedBy = input.decidedBy;
    approval.decidedAt = now;
    approval.comment = comment;
  });
  state.audit({
    actor: input.decidedBy,
    action: input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
    subscription: input.subscription,
    reason: comment,
    detail: { stage },
  });
  if (next) {
    const techAm = state.input.approval.techAmEmail;
    if (!techAm) throw new Error('a TECH_AM stage without a TECH_AM'); // the API refuses such a start
    handTo(state, approval, techAm);
    state.change(() => (approval.stage = next));
    state.audit({
      actor: 'gangway',
      action: 'ASSIGNED',
      subscription: approval.subscription,
      reason: `${stage} approved; the ${next} decides next`,
      detail: { to: techAm, stage: next },
    });
  } else {
    const status = input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
    state.change(() => (approval.status = status));
    state.setSubscriptionStatus(input.subscription, status);
  }
  state.decisionsToAnnounce.push({
    ...approval,
    status: input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
    stage,
  });
  state.taskChanged(approval.subscription);
  return approval;
}

export function applyReassign(state: OnboardingState, input: ReassignApprovalInput): ApprovalView {
  const approval = approvalTask(state.view, input.subscription);
  const from = approval.approverEmail;
  handTo(state, approval, input.to);
  state.audit({
    actor: input.requestedBy,
    action: 'REASSIGNED',
    subscription: input.subscription,
    reason: input.reason,
    detail: { from, to: input.to, stage: approval.stage ?? 'AM' },
  });
  state.taskChanged(approval.subscription);
  return approval;
}

export function applyDelegate(state: OnboardingState, input: ReassignApprovalInput): ApprovalView {
  const approval = approvalTask(state.view, input.subscription);
  state.change(() => (approval.delegateEmail = input.to));
  state.audit({
    actor: input.requestedBy,
    action: 'DELEGATED',
    subscription: input.subscription,
    reason: input.reason,
    detail: { to: input.to, stage: approval.stage ?? 'AM' },
  });
  state.taskChanged(approval.subscription);
  return approval;
}

function handTo(state: OnboardingState, approval: ApprovalView, to: string): void {
  state.change((_, now) => {
    approval.approverEmail = to;
    approval.delegateEmail = null;
    approval.assignedAt = now;
    approval.escalatedTo = [];
    approval.remindersSent = 0;
  });
}
