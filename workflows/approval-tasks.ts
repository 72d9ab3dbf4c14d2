import { condition } from '@temporalio/workflow';
import type { ApprovalView } from '../domain';
import { notify } from './activity-options';
import type { Background } from './background';
import type { OnboardingState } from './state';

/**
 * Every approval task at once, each with its own durable deadlines: a reminder every reminder
 * interval, one escalation after escalateAfter, EXPIRED at expireAfter. Decisions, reassignments and
 * delegations arrive as Updates (approval-decisions.ts) and wake the supervision.
 */
export async function superviseApprovals(state: OnboardingState, background: Background): Promise<void> {
  const { view, input } = state;
  // One loop with one timer watches every task: a parked onboarding waits on one condition instead
  // of one per task (docs/performance.md, scenario 5).
  await superviseAllTasks(state, background);

  const expired = view.approvals.filter((a) => a.status === 'EXPIRED').map((a) => a.subscription);
  if (expired.length > 0) {
    await notify.notifyApprovalExpired({
      onboardingId: view.id,
      to: input.request.notify.email,
      tenantName: input.request.tenant.name,
      subscriptions: expired,
    });
  }
}

async function superviseAllTasks(state: OnboardingState, background: Background): Promise<void> {
  const clocks = state.view.approvals.map((approval) => startClock(state, approval));
  for (;;) {
    // The staff member hears of each decision as it is made, beside whatever the onboarding does next.
    while (state.decisionsToAnnounce.length > 0) background.add(announce(state, state.decisionsToAnnounce.shift()!));
    const open = clocks.filter((c) => c.approval.status === 'PENDING');
    if (open.length === 0) return;
    const moved = open.filter((c) => moves(state, c));
    if (moved.length > 0) {
      await Promise.all(moved.map((c) => followRevision(state, c)));
      continue;
    }
    const wakeAt = Math.min(...open.map(nextDeadline));
    const woken = () =>
      state.decisionsToAnnounce.length > 0 || open.some((c) => c.approval.status !== 'PENDING' || moves(state, c));
    if (await condition(woken, Math.max(1, wakeAt - Date.now()))) continue;
    const now = Date.now();
    await Promise.all(open.map((c) => onDeadlines(state, c, now)));
  }
}

const NEVER = Number.POSITIVE_INFINITY;

/** One task's supervision: who has it, which of its Updates were seen, and when it next reminds, escalates and expires. */
interface TaskClock {
  readonly approval: ApprovalView;
  revision: number;
  assignee: string;
  delegate: string | null;
  remindAt: number;
  escalateAt: number;
  readonly expireAt: number;
}

function startClock(state: OnboardingState, approval: ApprovalView): TaskClock {
  const { policy, approverEmail } = state.input;
  const now = Date.now();
  // Revision 0 is the first assignment, already announced by the one mail that lists every subscription;
  // an Update may have changed the task while that mail was going out.
  return {
    approval,
    revision: 0,
    assignee: `${approval.stages?.[0] ?? 'AM'}:${approverEmail}`,
    delegate: null,
    remindAt: now + policy.approvalReminderIntervalMs,
    escalateAt: now + policy.approvalEscalateAfterMs,
    expireAt: now + policy.approvalExpireAfterMs,
  };
}

const moves = (state: OnboardingState, clock: TaskClock) =>
  state.taskRevision(clock.approval.subscription) !== clock.revision;
const nextDeadline = (clock: TaskClock) => Math.min(clock.remindAt, clock.escalateAt, clock.expireAt);

/** An Update changed the task: a new approver gets the full time again and a mail; so does a new delegate. */
async function followRevision(state: OnboardingState, clock: TaskClock): Promise<void> {
  const { approval } = clock;
  const { policy } = state.input;
  clock.revision = state.taskRevision(approval.subscription);
  const now = Date.now();
  if (`${approval.stage}:${approval.approverEmail}` !== clock.assignee) {
    clock.assignee = `${approval.stage}:${approval.approverEmail}`;
    clock.remindAt = now + policy.approvalReminderIntervalMs;
    clock.escalateAt = now + policy.approvalEscalateAfterMs;
    await tell(state, approval, 'ASSIGNED', approval.approverEmail, `${clock.revision}`);
  }
  if (approval.delegateEmail && approval.delegateEmail !== clock.delegate) {
    await tell(state, approval, 'DELEGATED', approval.delegateEmail, `${clock.revision}`);
  }
  clock.delegate = approval.delegateEmail ?? null;
}

/** Whatever of expiry, escalation and reminder is due at `now`; true once the task has expired. */
async function onDeadlines(state: OnboardingState, clock: TaskClock, now: number): Promise<boolean> {
  const { approval } = clock;
  const { policy, approval: setup } = state.input;
  const sub = approval.subscription;
  if (now >= clock.expireAt) {
    state.change(() => (approval.status = 'EXPIRED'));
    state.setSubscriptionStatus(sub, 'EXPIRED');
    state.audit({
      actor: 'gangway',
      action: 'EXPIRED',
      subscription: sub,
      reason: 'no decision in time',
      detail: { approver: approval.approverEmail, expireAfterMs: policy.approvalExpireAfterMs },
    });
    state.taskChanged(sub);
    return true;
  }
  if (now >= clock.escalateAt) {
    clock.escalateAt = NEVER;
    const targets = setup.escalateTo.filter((t) => t.toLowerCase() !== approval.approverEmail.toLowerCase());
    if (targets.length > 0) {
      state.change(() => (approval.escalatedTo = targets));
      state.audit({
        actor: 'gangway',
        action: 'ESCALATED',
        subscription: sub,
        reason: `undecided by ${approval.approverEmail}`,
        detail: { to: targets, escalateAfterMs: policy.approvalEscalateAfterMs },
      });
      for (const target of targets) await tell(state, approval, 'ESCALATION', target, `${clock.revision}:${target}`);
    }
  }
  if (now >= clock.remindAt) {
    clock.remindAt = now + policy.approvalReminderIntervalMs;
    const n = (approval.remindersSent ?? 0) + 1;
    state.change(() => (approval.remindersSent = n));
    state.audit({
      actor: 'gangway',
      action: 'REMINDED',
      subscription: sub,
      reason: `reminder ${n}`,
      detail: { to: approval.approverEmail, delegate: approval.delegateEmail ?? null },
    });
    await tell(state, approval, 'REMINDER', approval.approverEmail, `${clock.revision}:${n}`);
    if (approval.delegateEmail)
      await tell(state, approval, 'REMINDER', approval.delegateEmail, `${clock.revision}:${n}:delegate`);
  }
  return false;
}

function tell(
  state: OnboardingState,
  approval: ApprovalView,
  kind: 'ASSIGNED' | 'DELEGATED' | 'REMINDER' | 'ESCALATION',
  to: string,
  key: string,
) {
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

function announce(state: OnboardingState, approval: ApprovalView) {
  const { view, input } = state;
  return notify.notifyDecision({
    onboardingId: view.id,
    to: input.startedBy.email,
    tenantName: input.request.tenant.name,
    approval,
  });
}
