import { DECISION_REFUSED, validateTaskDecision } from './approval-rules';
import { RuleRefusal } from './refusal';
import type { ApprovalStatus, Decision, StageDecision } from './approvals';

/**
 * Ongoing WMS: "by default, an API user for the goods owner APIs cannot access any invoice data"; the access
 * can be changed later. Taking it away applies at once; granting it is a decision for an approver, under the
 * same decision rules as an onboarding's approvals (domain/approval-rules.ts).
 */

/** WITHDRAWN: its tenant was offboarded while it waited; the approval stays undecided. */
export type AccessChangeStatus = 'PENDING' | 'APPLIED' | 'REJECTED' | 'EXPIRED' | 'WITHDRAWN';

/** The approver's task of a widening: one stage (the AM), with the onboarding approvals' fields. */
export interface AccessApproval {
  status: ApprovalStatus;
  approverEmail: string;
  delegateEmail: null;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  assignedAt: string;
  escalatedTo: string[];
  remindersSent: number;
  decisions: StageDecision[];
}

export interface AccessChangeView {
  /** The workflow id for a widening; narrowing uses the same form of id without a workflow. */
  id: string;
  tenant: { tenantId: string; partnerProvidedId: string; name: string };
  username: string;
  field: 'invoiceDataAccess';
  from: boolean;
  to: boolean;
  status: AccessChangeStatus;
  requestedBy: string;
  requestedAt: string;
  reason: string | null;
  /** Null for a narrowing, which needs nobody's approval. */
  approval: AccessApproval | null;
  appliedAt: string | null;
  /** Grows with every change, so an older write never overwrites a newer one. */
  version: number;
}

export interface AccessChangeDeadlines {
  reminderIntervalMs: number;
  escalateAfterMs: number;
  expireAfterMs: number;
}

/** What the access-change workflow starts from; the API resolved the people, so a replay sees the same ones. */
export interface AccessChangeInput {
  view: AccessChangeView;
  escalateTo: string[];
  deadlines: AccessChangeDeadlines;
}
export interface AccessChangeResult {
  status: AccessChangeStatus;
}

/** Why a pending widening ends undecided: its tenant's offboarding withdrew it (workflows/offboarding.ts). */
export interface WithdrawAccessChangeInput {
  reason: string;
  requestedBy: string;
}

/** A decision as the API sends it; `decidedBy` is established by the API from the access token. */
export interface DecideAccessChangeInput {
  decision: Decision;
  comment?: string;
  decidedBy: string;
}

/** One per change of a user, numbered: a second request for the same change is the same workflow. */
export const accessChangeId = (tenantId: string, username: string, seq: number) =>
  `access-change-${tenantId}-${username}-${seq}`;

export function newAccessChange(
  fields: Omit<AccessChangeView, 'status' | 'approval' | 'appliedAt' | 'version' | 'field'>,
  approverEmail: string | null,
): AccessChangeView {
  const widening = fields.to && !fields.from;
  return {
    ...fields,
    field: 'invoiceDataAccess',
    status: widening ? 'PENDING' : 'APPLIED',
    approval:
      widening && approverEmail
        ? {
            status: 'PENDING',
            approverEmail,
            delegateEmail: null,
            decidedBy: null,
            decidedAt: null,
            comment: null,
            assignedAt: fields.requestedAt,
            escalatedTo: [],
            remindersSent: 0,
            decisions: [],
          }
        : null,
    appliedAt: widening ? null : fields.requestedAt,
    version: 1,
  };
}

/** Widening needs an approver's decision; narrowing (and nothing else) applies at once. */
export const needsApproval = (from: boolean, to: boolean) => to && !from;

export function validateAccessDecision(view: AccessChangeView, input: DecideAccessChangeInput): void {
  if (!view.approval)
    throw new RuleRefusal(DECISION_REFUSED.notAwaitingApproval, 'a narrowing applies at once: nobody decides it');
  validateTaskDecision(
    view.approval,
    {
      what: `invoice data access for ${view.username}`,
      requestedBy: view.requestedBy,
      ownRequest: 'nobody approves an access change they asked for',
      notOpen: view.status === 'PENDING' ? null : `the access change is ${view.status}`,
    },
    input,
  );
}

/** Records a decision once (validateAccessDecision let it through): the approval is decided, the change not yet applied. */
export function decideAccessChange(view: AccessChangeView, input: DecideAccessChangeInput, now: string): boolean {
  const approval = view.approval;
  if (!approval || approval.status !== 'PENDING') return false;
  const comment = input.comment ?? null;
  approval.decisions.push({
    stage: 'AM',
    decision: input.decision,
    decidedBy: input.decidedBy,
    decidedAt: now,
    comment,
  });
  approval.status = input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  approval.decidedBy = input.decidedBy;
  approval.decidedAt = now;
  approval.comment = comment;
  if (input.decision === 'REJECT') view.status = 'REJECTED';
  return true;
}
