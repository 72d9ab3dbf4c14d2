import type { ApprovalView, DecideApprovalInput, ReassignApprovalInput } from './approvals';
import type { OnboardingView } from './onboarding';
import { RuleRefusal } from './refusal';

/**
 * Who may do what to an approval task. Each rule only reads the view and throws a RuleRefusal whose
 * type the API maps to 403/404/409, so a refused request never reaches the workflow's history.
 */

/** Failure types the rules raise; the API maps them to HTTP statuses. */
export const DECISION_REFUSED = {
  unknownSubscription: 'UNKNOWN_SUBSCRIPTION',
  notAssigned: 'NOT_ASSIGNED_APPROVER',
  ownOnboarding: 'OWN_ONBOARDING',
  alreadyDecided: 'ALREADY_DECIDED',
  notAwaitingApproval: 'NOT_AWAITING_APPROVAL',
  invalidAssignee: 'INVALID_ASSIGNEE',
} as const;

export const samePerson = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.toLowerCase() === b.toLowerCase();

export function approvalTask(view: OnboardingView, subscription: string): ApprovalView {
  const approval = view.approvals.find((a) => a.subscription === subscription);
  if (!approval) throw new RuleRefusal(DECISION_REFUSED.unknownSubscription, `${subscription} was not requested`);
  return approval;
}

/** The decision this person already recorded on this subscription, at any stage. */
export function earlierDecision(approval: Pick<ApprovalView, 'decisions'>, person: string) {
  return (approval.decisions ?? []).find((d) => samePerson(d.decidedBy, person));
}

export function validateDecision(view: OnboardingView, input: DecideApprovalInput): void {
  validateTaskDecision(
    approvalTask(view, input.subscription),
    {
      what: input.subscription,
      requestedBy: view.startedBy,
      ownRequest: 'nobody approves an onboarding they started',
      notOpen: view.status === 'AWAITING_APPROVAL' ? null : `the onboarding is ${view.status}`,
    },
    input,
  );
}

/** What a task's decision rule needs to know of the request it belongs to (an onboarding, an access change). */
export interface DecisionContext {
  /** How refusals name the task. */
  what: string;
  /** Who asked for it: they may not decide it. */
  requestedBy: string;
  ownRequest: string;
  /** Why the request takes no decision now, or null while it waits for one. */
  notOpen: string | null;
}

/**
 * The decision rules every approval task shares: nobody decides what they asked for; only the assigned
 * approver or their delegate decides; a repeat of one's own decision is let through (the caller answers
 * the first outcome), a different answer is a conflict, and so is a decision on a task already decided.
 */
export function validateTaskDecision(
  task: Pick<ApprovalView, 'status' | 'approverEmail' | 'delegateEmail' | 'decisions'>,
  context: DecisionContext,
  input: Pick<DecideApprovalInput, 'decision' | 'decidedBy'>,
): void {
  const { what } = context;
  if (samePerson(input.decidedBy, context.requestedBy))
    throw new RuleRefusal(DECISION_REFUSED.ownOnboarding, context.ownRequest);
  // A retried request from the same person gets the first outcome; a different answer is a conflict.
  const earlier = earlierDecision(task, input.decidedBy);
  if (earlier) {
    if (earlier.decision === input.decision) return;
    throw new RuleRefusal(DECISION_REFUSED.alreadyDecided, `you already decided ${what}: ${earlier.decision}`);
  }
  const mayDecide = samePerson(input.decidedBy, task.approverEmail) || samePerson(input.decidedBy, task.delegateEmail);
  // Two approvers racing on one task (the approver and their delegate): the first one in wins.
  if (mayDecide && task.status !== 'PENDING')
    throw new RuleRefusal(DECISION_REFUSED.alreadyDecided, `${what} is already ${task.status}`);
  if (!mayDecide) throw new RuleRefusal(DECISION_REFUSED.notAssigned, `${what} is assigned to another approver`);
  if (context.notOpen) throw new RuleRefusal(DECISION_REFUSED.notAwaitingApproval, context.notOpen);
}

export function validateReassign(view: OnboardingView, input: ReassignApprovalInput): void {
  const approval = openTask(view, input.subscription);
  checkAssignee(view, approval, input.to);
}

export function validateDelegate(view: OnboardingView, input: ReassignApprovalInput): void {
  const approval = openTask(view, input.subscription);
  if (!samePerson(input.requestedBy, approval.approverEmail)) {
    throw new RuleRefusal(
      DECISION_REFUSED.notAssigned,
      `only ${input.subscription}'s assigned approver may delegate it`,
    );
  }
  if (samePerson(input.to, approval.delegateEmail))
    throw new RuleRefusal(DECISION_REFUSED.invalidAssignee, `${input.to} is already the delegate`);
  checkAssignee(view, approval, input.to);
}

function openTask(view: OnboardingView, subscription: string): ApprovalView {
  const approval = approvalTask(view, subscription);
  if (approval.status !== 'PENDING')
    throw new RuleRefusal(DECISION_REFUSED.alreadyDecided, `${subscription} is already ${approval.status}`);
  if (view.status !== 'AWAITING_APPROVAL')
    throw new RuleRefusal(DECISION_REFUSED.notAwaitingApproval, `the onboarding is ${view.status}`);
  return approval;
}

function checkAssignee(view: OnboardingView, approval: ApprovalView, to: string): void {
  if (samePerson(to, view.startedBy))
    throw new RuleRefusal(DECISION_REFUSED.invalidAssignee, 'nobody approves an onboarding they started');
  if (samePerson(to, approval.approverEmail))
    throw new RuleRefusal(DECISION_REFUSED.invalidAssignee, `${to} is already the approver`);
  if (earlierDecision(approval, to))
    throw new RuleRefusal(DECISION_REFUSED.invalidAssignee, `${to} already decided an earlier stage`);
}
