import { ApplicationFailure } from '@temporalio/workflow';
import { DECISION_REFUSED, type DecideApprovalInput, type ReassignApprovalInput } from './messages';
import type { OnboardingState } from './onboarding-state';
import type { ApprovalView } from './types';

/**
 * Who may do what to an approval task. The validators only read state and throw a business type the
 * API maps to 403/404/409, so a refused request never reaches the history; the appliers change state.
 */

const same = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

function task(state: OnboardingState, subscription: string): ApprovalView {
  const approval = state.view.approvals.find((a) => a.subscription === subscription);
  if (!approval) throw refused(DECISION_REFUSED.unknownSubscription, `${subscription} was not requested`);
  return approval;
}

/** The decision this person already recorded on this subscription, at any stage. */
function earlierDecision(approval: ApprovalView, person: string) {
  const stages = approval.decisions ?? (approval.decidedBy ? [{ decidedBy: approval.decidedBy, decision: approval.status === 'APPROVED' ? 'APPROVE' : 'REJECT' }] : []);
  return stages.find((d) => same(d.decidedBy, person));
}

export function validateDecision(state: OnboardingState, input: DecideApprovalInput): void {
  const approval = task(state, input.subscription);
  if (same(input.decidedBy, state.input.startedBy.email)) throw refused(DECISION_REFUSED.ownOnboarding, 'nobody approves an onboarding they started');
  // A retried request from the same person gets the first outcome; a different answer is a conflict.
  const earlier = earlierDecision(approval, input.decidedBy);
  if (earlier) {
    if (earlier.decision === input.decision) return;
    throw refused(DECISION_REFUSED.alreadyDecided, `you already decided ${input.subscription}: ${earlier.decision}`);
  }
  const mayDecide = same(input.decidedBy, approval.approverEmail) || same(input.decidedBy, approval.delegateEmail);
  // Two approvers racing on one task (the approver and their delegate): the first one in wins.
  if (mayDecide && approval.status !== 'PENDING') throw refused(DECISION_REFUSED.alreadyDecided, `${input.subscription} is already ${approval.status}`);
  if (!mayDecide) throw refused(DECISION_REFUSED.notAssigned, `${input.subscription} is assigned to another approver`);
  if (state.view.status !== 'AWAITING_APPROVAL') throw refused(DECISION_REFUSED.notAwaitingApproval, `the onboarding is ${state.view.status}`);
}

/** Records a decision once; an approval at the first of two stages moves on to the TECH_AM. */
export function applyDecision(state: OnboardingState, input: DecideApprovalInput): ApprovalView {
  const approval = task(state, input.subscription);
  if (approval.status !== 'PENDING' || earlierDecision(approval, input.decidedBy)) return approval;
  const now = new Date().toISOString();
  const stage = approval.stage ?? 'AM';
  const comment = input.comment ?? null;
  approval.decisions?.push({ stage, decision: input.decision, decidedBy: input.decidedBy, decidedAt: now, comment });
  approval.decidedBy = input.decidedBy;
  approval.decidedAt = now;
  approval.comment = comment;
  state.audit({ actor: input.decidedBy, action: input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', subscription: input.subscription, reason: comment, detail: { stage } });
  const stages = approval.stages ?? [stage];
  const next = stages[stages.indexOf(stage) + 1];
  if (input.decision === 'APPROVE' && next) {
    const techAm = state.input.approval?.techAmEmail;
    if (!techAm) throw new Error('a TECH_AM stage without a TECH_AM'); // the API refuses such a start
    handTo(state, approval, techAm, now);
    approval.stage = next;
    state.audit({ actor: 'gangway', action: 'ASSIGNED', subscription: approval.subscription, reason: `${stage} approved; the ${next} decides next`, detail: { to: techAm, stage: next } });
  } else {
    approval.status = input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
    state.setSubscriptionStatus(input.subscription, approval.status);
  }
  state.decisionsToAnnounce.push({ ...approval, status: input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED', stage });
  state.taskChanged(approval.subscription);
  return approval;
}

export function validateReassign(state: OnboardingState, input: ReassignApprovalInput): void {
  const approval = openTask(state, input.subscription);
  checkAssignee(state, approval, input.to);
}

export function applyReassign(state: OnboardingState, input: ReassignApprovalInput): ApprovalView {
  const approval = task(state, input.subscription);
  const from = approval.approverEmail;
  handTo(state, approval, input.to, new Date().toISOString());
  state.audit({ actor: input.requestedBy, action: 'REASSIGNED', subscription: input.subscription, reason: input.reason, detail: { from, to: input.to, stage: approval.stage ?? 'AM' } });
  state.taskChanged(approval.subscription);
  return approval;
}

export function validateDelegate(state: OnboardingState, input: ReassignApprovalInput): void {
  const approval = openTask(state, input.subscription);
  if (!same(input.requestedBy, approval.approverEmail)) throw refused(DECISION_REFUSED.notAssigned, `only ${input.subscription}'s assigned approver may delegate it`);
  if (same(input.to, approval.delegateEmail)) throw refused(DECISION_REFUSED.invalidAssignee, `${input.to} is already the delegate`);
  checkAssignee(state, approval, input.to);
}

export function applyDelegate(state: OnboardingState, input: ReassignApprovalInput): ApprovalView {
  const approval = task(state, input.subscription);
  state.update(() => (approval.delegateEmail = input.to));
  state.audit({ actor: input.requestedBy, action: 'DELEGATED', subscription: input.subscription, reason: input.reason, detail: { to: input.to, stage: approval.stage ?? 'AM' } });
  state.taskChanged(approval.subscription);
  return approval;
}

function openTask(state: OnboardingState, subscription: string): ApprovalView {
  const approval = task(state, subscription);
  if (approval.status !== 'PENDING') throw refused(DECISION_REFUSED.alreadyDecided, `${subscription} is already ${approval.status}`);
  if (state.view.status !== 'AWAITING_APPROVAL') throw refused(DECISION_REFUSED.notAwaitingApproval, `the onboarding is ${state.view.status}`);
  return approval;
}

function checkAssignee(state: OnboardingState, approval: ApprovalView, to: string): void {
  if (same(to, state.input.startedBy.email)) throw refused(DECISION_REFUSED.invalidAssignee, 'nobody approves an onboarding they started');
  if (same(to, approval.approverEmail)) throw refused(DECISION_REFUSED.invalidAssignee, `${to} is already the approver`);
  if (earlierDecision(approval, to)) throw refused(DECISION_REFUSED.invalidAssignee, `${to} already decided an earlier stage`);
}

function handTo(state: OnboardingState, approval: ApprovalView, to: string, now: string): void {
  state.update(() => {
    approval.approverEmail = to;
    approval.delegateEmail = null;
    approval.assignedAt = now;
    approval.escalatedTo = [];
    approval.remindersSent = 0;
  });
}

function refused(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
