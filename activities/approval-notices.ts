import type { ApprovalView, SubscriptionCode } from '../workflows/types';
import type { ActivityDeps } from './deps';

export interface NotifyApproverInput {
  onboardingId: string;
  approverEmail: string;
  subscriptions: SubscriptionCode[];
  tenantName: string;
  startedBy: string;
}
export interface NotifyDecisionInput { onboardingId: string; to: string; tenantName: string; approval: ApprovalView }

export function approvalNoticeActivities({ mail, config }: Pick<ActivityDeps, 'mail' | 'config'>) {
  return {
    async notifyApprover(input: NotifyApproverInput): Promise<void> {
      await mail.sendOnce({
        idempotencyKey: `${input.onboardingId}:REQUEST_APPROVAL:assigned`,
        to: input.approverEmail,
        subject: `Approval needed: API subscriptions for ${input.tenantName}`,
        text: [
          `${input.startedBy} asks for these API subscriptions for ${input.tenantName}:`,
          ...input.subscriptions.map((s) => `  - ${s}`),
          '',
          `Decide each one in your inbox: ${config.publicUrl}/inbox`,
          `or with: npx gangway approve ${input.onboardingId} --subscription <CODE> [--reject]`,
        ].join('\n'),
      });
    },

    async notifyDecision({ onboardingId, to, tenantName, approval }: NotifyDecisionInput): Promise<void> {
      await mail.sendOnce({
        idempotencyKey: `${onboardingId}:REQUEST_APPROVAL:decision:${approval.subscription}`,
        to,
        subject: `${approval.subscription} ${approval.status.toLowerCase()} for ${tenantName}`,
        text: [
          `${approval.decidedBy} ${approval.status.toLowerCase()} ${approval.subscription} for ${tenantName}.`,
          approval.comment ? `Comment: ${approval.comment}` : '',
          `Onboarding: ${config.publicUrl}/v1/onboardings/${onboardingId}`,
        ].filter(Boolean).join('\n'),
      });
    },
  };
}
