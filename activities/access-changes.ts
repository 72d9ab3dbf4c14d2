import { applyAccessChange, upsertAccessChangeView } from '../db/access-changes';
import { withTransaction } from '../db/transaction';
import type { AccessChangeView } from '../domain';
import type { ActivityDeps } from './deps';

export interface NotifyAccessChangeTaskInput {
  view: AccessChangeView;
  kind: 'ASSIGNED' | 'REMINDER' | 'ESCALATION';
  to: string;
  /** Unique per occasion: the mail is sent once per key. */
  key: string;
}

const what = (view: AccessChangeView) =>
  `invoice data access for API user ${view.username} of ${view.tenant.name} (${view.tenant.partnerProvidedId})`;

/** The access-change workflow's I/O: its row (the audit of the change), the change itself, and its mails. */
export function accessChangeActivities({ pool, mail, config }: Pick<ActivityDeps, 'pool' | 'mail' | 'config'>) {
  const decisionLink = (view: AccessChangeView) => `${config.publicUrl}/v1/access-changes/${view.id}`;
  return {
    async recordAccessChange({ view }: { view: AccessChangeView }): Promise<void> {
      await upsertAccessChangeView(pool, view);
    },

    /** The user's access and the change's APPLIED row commit together. */
    async applyAccessChange({ view }: { view: AccessChangeView }): Promise<void> {
      await withTransaction(pool, (tx) => applyAccessChange(tx, view));
    },

    async notifyAccessChangeTask({ view, kind, to, key }: NotifyAccessChangeTaskInput): Promise<void> {
      const approver = view.approval?.approverEmail ?? to;
      const lines = {
        ASSIGNED: `${view.requestedBy} asks you to approve ${what(view)}${view.reason ? `: ${view.reason}` : ''}.`,
        REMINDER: `${what(view)} still awaits your decision (asked ${view.requestedAt}).`,
        ESCALATION: `${what(view)} has waited for ${approver} since ${view.requestedAt}. Please follow up.`,
      };
      const subject = {
        ASSIGNED: `Approval needed: ${what(view)}`,
        REMINDER: `Reminder: approval needed: ${what(view)}`,
        ESCALATION: `Escalation: ${what(view)} awaits ${approver}`,
      };
      await mail.sendOnce({
        idempotencyKey: `${view.id}:${key}`,
        to,
        subject: subject[kind],
        text: [
          lines[kind],
          '',
          `The request: ${decisionLink(view)}`,
          kind === 'ESCALATION'
            ? ''
            : `Decide it: POST ${decisionLink(view)}/approvals {"decision": "APPROVE" | "REJECT", "comment": "…"}`,
        ]
          .filter(Boolean)
          .join('\n'),
      });
    },

    /** Whoever asked hears how it ended: applied, rejected or expired. */
    async notifyAccessChangeDecided({ view }: { view: AccessChangeView }): Promise<void> {
      const approval = view.approval;
      const [heading, outcome] = {
        APPLIED: ['Approved', `was approved by ${approval?.decidedBy} and applies now`],
        REJECTED: ['Rejected', `was rejected by ${approval?.decidedBy}; the access stays as it was`],
        WITHDRAWN: ['Withdrawn', 'was withdrawn undecided: the tenant has been offboarded'],
        EXPIRED: ['Expired', 'expired without a decision; the access stays as it was'],
        PENDING: ['Expired', 'expired without a decision; the access stays as it was'],
      }[view.status];
      await mail.sendOnce({
        idempotencyKey: `${view.id}:decided`,
        to: view.requestedBy,
        subject: `${heading}: ${what(view)}`,
        text: [
          `Your request for ${what(view)} ${outcome}.`,
          approval?.comment ? `Comment: ${approval.comment}` : '',
          `The request: ${decisionLink(view)}`,
        ]
          .filter(Boolean)
          .join('\n'),
      });
    },
  };
}
