import { condition, patched } from '@temporalio/workflow';
import { db, notify } from './activity-options';
import type { Background } from './background';
import type { OnboardingState } from './onboarding-state';
import type { ApprovalView } from './types';

/**
 * Every approval task at once, each with its own durable timers: a reminder every reminder interval,
 * one escalation after escalateAfter, EXPIRED at expireAfter. Decisions, reassignments and
 * delegations arrive as Updates (approval-rules.ts) and wake the task they touch.
 */
export async function superviseApprovals(state: OnboardingState, background: Background): Promise<void> {
  const { view, input } = state;
  // Since audit-with-projection (workflows/projector.ts) the projection writes the audit trail, and
  // the decision mails go out beside the assignment instead of before it: the assignment needs neither.
  const auditWithProjection = patched('audit-with-projection');
  let settled = false;
  const writing = writeAuditAndAnnounce(state, () => settled, { writeAudit: !auditWithProjection });
  try {
    await Promise.all(view.approvals.map((approval) => superviseTask(state, approval)));
  } catch (err) {
    // Always awaited: on cancellation the writer rejects too, and an unhandled rejection would fail
    // the workflow task over and over instead of letting the onboarding compensate.
    settled = true;
    await writing;
    throw err;
  }
  settled = true;
  if (auditWithProjection) background.add(writing);
  else await writing;

  const expired = view.approvals.filter((a) => a.status === 'EXPIRED').map((a) => a.subscription);
  if (expired.length > 0) {
    await notify.notifyApprovalExpired({ onboardingId: view.id, to: input.request.notify.email, tenantName: input.request.tenant.name, subscriptions: expired });
  }
}

async function superviseTask(state: OnboardingState, approval: ApprovalView): Promise<void> {
  const { input } = state;
  const { policy } = input;
  const never = Number.POSITIVE_INFINITY;
  const reminderMs = policy.approvalReminderIntervalMs ?? never;
  const escalateMs = policy.approvalEscalateAfterMs ?? never;
  const expireAt = Date.now() + policy.approvalExpireAfterMs;
  const sub = approval.subscription;

  // Revision 0 is the first assignment, already announced by the one mail that lists every subscription;
  // an Update may have changed the task while that mail was going out.
  let revision = 0;
  let assignee = `${approval.stages?.[0] ?? 'AM'}:${input.approverEmail}`;
  let delegate: string | null = null;
  let remindAt = Date.now() + reminderMs;
  let escalateAt = Date.now() + escalateMs;

  while (approval.status === 'PENDING') {
    if (state.taskRevision(sub) !== revision) {
      revision = state.taskRevision(sub);
      const now = Date.now();
      if (`${approval.stage}:${approval.approverEmail}` !== assignee) {
        // A new approver gets the full time again before reminders and escalation.
        assignee = `${approval.stage}:${approval.approverEmail}`;
        remindAt = now + reminderMs;
        escalateAt = now + escalateMs;
        await tell(state, approval, 'ASSIGNED', approval.approverEmail, `${revision}`);
      }
      if (approval.delegateEmail && approval.delegateEmail !== delegate) {
        await tell(state, approval, 'DELEGATED', approval.delegateEmail, `${revision}`);
      }
      delegate = approval.delegateEmail ?? null;
      continue;
    }

    const wakeAt = Math.min(remindAt, escalateAt, expireAt);
    const woken = () => approval.status !== 'PENDING' || state.taskRevision(sub) !== revision;
    const changed = wakeAt === never ? await condition(woken).then(() => true) : await condition(woken, Math.max(1, wakeAt - Date.now()));
    if (changed) continue;

    const now = Date.now();
    if (now >= expireAt) {
      state.update(() => (approval.status = 'EXPIRED'));
      state.setSubscriptionStatus(sub, 'EXPIRED');
      state.audit({ actor: 'gangway', action: 'EXPIRED', subscription: sub, reason: 'no decision in time', detail: { approver: approval.approverEmail, expireAfterMs: policy.approvalExpireAfterMs } });
      state.taskChanged(sub);
      return;
    }
    if (now >= escalateAt) {
      escalateAt = never;
      const targets = (input.approval?.escalateTo ?? []).filter((t) => t.toLowerCase() !== approval.approverEmail.toLowerCase());
      if (targets.length > 0) {
        state.update(() => (approval.escalatedTo = targets));
        state.audit({ actor: 'gangway', action: 'ESCALATED', subscription: sub, reason: `undecided by ${approval.approverEmail}`, detail: { to: targets, escalateAfterMs: escalateMs } });
        for (const target of targets) await tell(state, approval, 'ESCALATION', target, `${revision}:${target}`);
      }
    }
    if (now >= remindAt) {
      remindAt = now + reminderMs;
      const n = (approval.remindersSent ?? 0) + 1;
      state.update(() => (approval.remindersSent = n));
      state.audit({ actor: 'gangway', action: 'REMINDED', subscription: sub, reason: `reminder ${n}`, detail: { to: approval.approverEmail, delegate: approval.delegateEmail ?? null } });
      await tell(state, approval, 'REMINDER', approval.approverEmail, `${revision}:${n}`);
      if (approval.delegateEmail) await tell(state, approval, 'REMINDER', approval.delegateEmail, `${revision}:${n}:delegate`);
    }
  }
}

function tell(state: OnboardingState, approval: ApprovalView, kind: 'ASSIGNED' | 'DELEGATED' | 'REMINDER' | 'ESCALATION', to: string, key: string) {
  const { view, input } = state;
  return notify.notifyApprovalTask({
    onboardingId: view.id,
    key: `${approval.subscription}:${kind}:${key}`,
    kind,
    to,
    subscription: approval.subscription,
    approverEmail: approval.approverEmail,
    stage: approval.stage ?? 'AM',
    tenantName: input.request.tenant.name,
    startedBy: input.startedBy.email,
    waitingSince: approval.assignedAt ?? view.createdAt,
  });
}

/** Tells the staff member of each decision; before audit-with-projection, also wrote audit events in order, in batches. */
async function writeAuditAndAnnounce(state: OnboardingState, settled: () => boolean, options: { writeAudit: boolean }): Promise<void> {
  const { view, input } = state;
  let written = 0;
  const unwritten = () => options.writeAudit && state.auditEvents.length > written;
  for (;;) {
    await condition(() => unwritten() || state.decisionsToAnnounce.length > 0 || settled());
    if (unwritten()) {
      const events = state.auditEvents.slice(written);
      await db.recordAuditEvents({ onboardingId: view.id, events });
      written += events.length;
    } else if (state.decisionsToAnnounce.length > 0) {
      const approval = state.decisionsToAnnounce.shift()!;
      await notify.notifyDecision({ onboardingId: view.id, to: input.startedBy.email, tenantName: input.request.tenant.name, approval });
    } else {
      return;
    }
  }
}
