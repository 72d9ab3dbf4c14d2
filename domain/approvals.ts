import type { SubscriptionCode } from './subscriptions';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED';

/** Who approves a subscription: its account manager alone, or the AM and then the technical AM. */
export const APPROVAL_POLICIES = ['AM', 'AM_THEN_TECH_AM'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];
export type ApprovalStage = 'AM' | 'TECH_AM';
export type Decision = 'APPROVE' | 'REJECT';

/** Resolved by the API at start, so a replay sees the same people whatever the configuration says now. */
export interface ApprovalSetup {
  stages: Partial<Record<SubscriptionCode, ApprovalStage[]>>;
  techAmEmail: string | null;
  escalateTo: string[];
}

/** The stages a subscription goes through under APPROVAL_POLICY (absent: the AM alone). */
export function stagesOf(
  policy: Partial<Record<SubscriptionCode, ApprovalPolicy>>,
  code: SubscriptionCode,
): ApprovalStage[] {
  return policy[code] === 'AM_THEN_TECH_AM' ? ['AM', 'TECH_AM'] : ['AM'];
}

export interface ApprovalView {
  subscription: SubscriptionCode;
  status: ApprovalStatus;
  approverEmail: string;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  /** Whose turn it is; approverEmail is that stage's approver. */
  stage?: ApprovalStage;
  stages?: ApprovalStage[];
  delegateEmail?: string | null;
  /** When the current approver was asked: the inbox shows how long it has waited. */
  assignedAt?: string;
  escalatedTo?: string[];
  remindersSent?: number;
  /** Every stage's decision, in order; decidedBy/decidedAt/comment repeat the last one. */
  decisions?: StageDecision[];
}
export interface StageDecision {
  stage: ApprovalStage;
  decision: Decision;
  decidedBy: string;
  decidedAt: string;
  comment: string | null;
}

/** A decision as the API sends it; `decidedBy` is established by the API from the access token. */
export interface DecideApprovalInput {
  subscription: SubscriptionCode;
  decision: Decision;
  comment?: string;
  decidedBy: string;
}

/** Hands one subscription's task to someone else; `requestedBy` is established by the API from the token. */
export interface ReassignApprovalInput {
  subscription: SubscriptionCode;
  to: string;
  reason: string;
  requestedBy: string;
}

/** One thing someone (or gangway itself) did to an approval task: who, what, when and why. */
export interface AuditEvent {
  /** Per onboarding, in order; keys the row so that a retried write never duplicates it. */
  seq: number;
  occurredAt: string;
  /** Place in the audit story, shared with status changes (StatusTransition.storyIndex). */
  storyIndex?: number;
  actor: string;
  action:
    | 'ASSIGNED'
    | 'APPROVED'
    | 'REJECTED'
    | 'REASSIGNED'
    | 'DELEGATED'
    | 'REMINDED'
    | 'ESCALATED'
    | 'EXPIRED'
    // Staff actions on a running onboarding (workflows/client-actions.ts).
    | 'RESENT'
    | 'AMENDED'
    | 'CLIENT_RETRIED'
    // Collector reminders (REMINDED, as for approvals) and the stuck-client notice to staff.
    | 'CLIENT_STUCK_NOTICE';
  subscription: SubscriptionCode | null;
  reason: string | null;
  detail?: Record<string, unknown>;
}
