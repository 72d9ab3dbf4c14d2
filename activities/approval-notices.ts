import type { ApprovalStage, ApprovalView, SubscriptionCode } from '../domain';
import type { ActivityDeps } from './deps';

export interface NotifyApproverInput {
  onboardingId: string;
  approverEmail: string;
  subscriptions: SubscriptionCode[];
  tenantName: string;
  startedBy: string;
}
export interface NotifyDecisionInput {
  onboardingId: string;
  to: string;
  tenantName: string;
  approval: ApprovalView;
}
export interface NotifyApprovalTaskInput {
  onboardingId: string;
  /** Unique per task, kind and occasion: the mail is sent once per key. */
  key: string;
  kind: 'ASSIGNED' | 'DELEGATED' | 'REMINDER' | 'ESCALATION';
  to: string;
  subscription: SubscriptionCode;
  approverEmail: string;
  stage: ApprovalStage;
  tenantName: string;
  startedBy: string;
  waitingSince: string;
}
export interface NotifyApprovalExpiredInput {
  onboardingId: string;
  to: string;
  tenantName: string;
  subscriptions: SubscriptionCode[];
}

const SUBJECT: Record<NotifyApprovalTaskInput['kind'], (i: NotifyApprovalTaskInput) => string> = {
  ASSIGNED: (i) => `Approval needed: ${i.subscription} for ${i.tenantName}`,
  DELEGATED: (i) => `Approval needed (delegated by ${i.approverEmail}): ${i.subscription} for ${i.tenantName}`,
  REMINDER: (i) => `Reminder: approval needed: ${i.subscription} for ${i.tenantName}`,
  ESCALATION: (i) => `Escalation: ${i.subscription} for ${i.tenantName} awaits ${i.approverEmail}`,
};

/** The inbox opens this one task (api/pages/static/inbox.js); the fragment never reaches a server or a log. */
export const taskLink = (publicUrl: string, onboardingId: string, subscription: SubscriptionCode) =>
  `${publicUrl}/inbox#task-${onboardingId}-${subscription}`;

export function approvalNoticeActivities({ mail, config }: Pick<ActivityDeps, 'mail' | 'config'>) {
  return {
    async notifyApprover(input: NotifyApproverInput): Promise<void> {
      await mail.sendOnce({
        idempotencyKey: `${input.onboardingId}:REQUEST_APPROVAL:assigned`,
        to: input.approverEmail,
        subject: `Approval needed: API subscriptions for ${input.tenantName}`,
        text: [
          `${input.startedBy} asks for these API subscriptions for ${input.tenantName}:`,
          ...input.subscriptions.map((s) => `  - ${s}: ${taskLink(config.publicUrl, input.onboardingId, s)}`),
          '',
          `Decide each one in your inbox: ${config.publicUrl}/inbox`,
          `or with: npx gangway approve ${input.onboardingId} --subscription <CODE> [--reject]`,
        ].join('\n'),
      });
    },

    async notifyDecision({ onboardingId, to, tenantName, approval }: NotifyDecisionInput): Promise<void> {
      await mail.sendOnce({
        // Two-stage approvals announce each stage's decision; single-stage keys stay as they were.
        idempotencyKey: `${onboardingId}:REQUEST_APPROVAL:decision:${approval.subscription}${(approval.stages?.length ?? 1) > 1 ? `:${approval.stage}` : ''}`,
        to,
        subject: `${approval.subscription} ${approval.status.toLowerCase()}${(approval.stages?.length ?? 1) > 1 ? ` by the ${approval.stage}` : ''} for ${tenantName}`,
        text: [
          `${approval.decidedBy} ${approval.status.toLowerCase()} ${approval.subscription} for ${tenantName}.`,
          approval.comment ? `Comment: ${approval.comment}` : '',
          `Onboarding: ${config.publicUrl}/v1/onboardings/${onboardingId}`,
        ]
          .filter(Boolean)
          .join('\n'),
      });
    },

    async notifyApprovalTask(input: NotifyApprovalTaskInput): Promise<void> {
      const lines: Record<NotifyApprovalTaskInput['kind'], string> = {
        ASSIGNED: `${input.startedBy} asks you, as ${input.stage}, to approve ${input.subscription} for ${input.tenantName}.`,
        DELEGATED: `${input.approverEmail} asks you to decide ${input.subscription} for ${input.tenantName} in their place.`,
        REMINDER: `${input.subscription} for ${input.tenantName} still awaits your decision (asked ${input.waitingSince}).`,
        ESCALATION: `${input.subscription} for ${input.tenantName} has waited for ${input.approverEmail} since ${input.waitingSince}. Please follow up, or have an admin reassign it.`,
      };
      await mail.sendOnce({
        idempotencyKey: `${input.onboardingId}:REQUEST_APPROVAL:${input.key}`,
        to: input.to,
        subject: SUBJECT[input.kind](input),
        text: [
          lines[input.kind],
          '',
          `${input.kind === 'ESCALATION' ? 'The task' : 'Decide it'}: ${taskLink(config.publicUrl, input.onboardingId, input.subscription)}`,
        ].join('\n'),
      });
    },

    /** The customer hears which subscriptions will not be assigned because nobody decided in time. */
    async notifyApprovalExpired({
      onboardingId,
      to,
      tenantName,
      subscriptions,
    }: NotifyApprovalExpiredInput): Promise<void> {
      await mail.sendOnce({
        idempotencyKey: `${onboardingId}:REQUEST_APPROVAL:expired`,
        to,
        subject: `Not approved in time: ${subscriptions.join(', ')} for ${tenantName}`,
        text: [
          `The request for these API subscriptions for ${tenantName} expired without a decision and they were not assigned:`,
          ...subscriptions.map((s) => `  - ${s}`),
          '',
          'Ask your onboarding contact to request them again.',
        ].join('\n'),
      });
    },
  };
}
