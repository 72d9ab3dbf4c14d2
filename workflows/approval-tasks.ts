import { condition, patched } from '@temporalio/workflow';
import { db, notify } from './activity-options';
import type { Background } from './background';
import type { OnboardingState } from './onboarding-state';
import type { ApprovalView } from './types';

/**
 * Every approval task at once, each with its own durable deadlines: a reminder every reminder
 * interval, one escalation after escalateAfter, EXPIRED at expireAfter. Decisions, reassignments and
 * delegations arrive as Updates (approval-rules.ts) and wake the supervision.
 */
export async function superviseApprovals(state: OnboardingState, background: Background): Promise<void> {
  const { view, input } = state;
  // Since audit-with-projection (workflows/projector.ts) the projection writes the audit trail, and
  // the decision mails go out beside the assignment instead of before it: the assignment needs neither.
  const auditWithProjection = patched('audit-with-projection');
  // Since one-approval-supervisor, one loop with one timer watches every task: a parked onboarding
  // waits on one condition instead of one per task plus a mail writer (BENCHMARKS.md, scenario 5).
  if (auditWithProjection && patched('one-approval-supervisor')) await superviseAllTasks(state, background);
  else await superviseEachTask(state, background, auditWithProjection);

  const expired = view.approvals.filter((a) => a.status === 'EXPIRED').map((a) => a.subscription);
  if (expired.length > 0) {
    await notify.notifyApprovalExpired({ onboardingId: view.id, to: input.request.notify.email, tenantName: input.request.tenant.name, subscriptions: expired });
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
    const woken = () => state.decisionsToAnnounce.length > 0 || open.some((c) => c.approval.status !== 'PENDING' || moves(state, c));
    if (await condition(woken, Math.max(1, wakeAt - Date.now()))) continue;
    const now = Date.now();
    await Promise.all(open.map((c) => onDeadlines(state, c, now)));
  }
}

/** Before one-approval-supervisor: a loop and timers per task, and a writer for the mails (and, earlier, the audit). */
async function superviseEachTask(state: OnboardingState, background: Background, auditWithProjection: boolean): Promise<void> {
  let settled = false;
  const writing = writeAuditAndAnnounce(state, () => settled, { writeAudit: !auditWithProjection });
  try {
    await Promise.all(state.view.approvals.map((approval) => superviseTask(state, approval)));
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
}

async function superviseTask(state: OnboardingState, approval: ApprovalView): Promise<void> {
  const clock = startClock(state, approval);
  while (approval.status === 'PENDING') {
    if (moves(state, clock)) {
      await followRevision(state, clock);
      continue;
    }
    const wakeAt = nextDeadline(clock);
    const woken = () => approval.status !== 'PENDING' || moves(state, clock);
    const changed = wakeAt === NEVER ? await condition(woken).then(() => true) : await condition(woken, Math.max(1, wakeAt - Date.now()));
    if (changed) continue;
    if (await onDeadlines(state, clock, Date.now())) return;
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
    remindAt: now + (policy.approvalReminderIntervalMs ?? NEVER),
    escalateAt: now + (policy.approvalEscalateAfterMs ?? NEVER),
    expireAt: now + policy.approvalExpireAfterMs,
  };
}

const moves = (state: OnboardingState, clock: TaskClock) => state.taskRevision(clock.approval.subscription) !== clock.revision;
const nextDeadline = (clock: TaskClock) => Math.min(clock.remindAt, clock.escalateAt, clock.expireAt);

/** An Update changed the task: a new approver gets the full time again and a mail; so does a new delegate. */
async function followRevision(state: OnboardingState, clock: TaskClock): Promise<void> {
  const { approval } = clock;
  const { policy } = state.input;
  clock.revision = state.taskRevision(approval.subscription);
  const now = Date.now();
  if (`${approval.stage}:${approval.approverEmail}` !== clock.assignee) {
    clock.assignee = `${approval.stage}:${approval.approverEmail}`;
    clock.remindAt = now + (policy.approvalReminderIntervalMs ?? NEVER);
    clock.escalateAt = now + (policy.approvalEscalateAfterMs ?? NEVER);
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
    state.update(() => (approval.status = 'EXPIRED'));
    state.setSubscriptionStatus(sub, 'EXPIRED');
    state.audit({ actor: 'gangway', action: 'EXPIRED', subscription: sub, reason: 'no decision in time', detail: { approver: approval.approverEmail, expireAfterMs: policy.approvalExpireAfterMs } });
    state.taskChanged(sub);
    return true;
  }
  if (now >= clock.escalateAt) {
    clock.escalateAt = NEVER;
    const targets = (setup?.escalateTo ?? []).filter((t) => t.toLowerCase() !== approval.approverEmail.toLowerCase());
    if (targets.length > 0) {
      state.update(() => (approval.escalatedTo = targets));
      state.audit({ actor: 'gangway', action: 'ESCALATED', subscription: sub, reason: `undecided by ${approval.approverEmail}`, detail: { to: targets, escalateAfterMs: policy.approvalEscalateAfterMs ?? NEVER } });
      for (const target of targets) await tell(state, approval, 'ESCALATION', target, `${clock.revision}:${target}`);
    }
  }
  if (now >= clock.remindAt) {
    clock.remindAt = now + (policy.approvalReminderIntervalMs ?? NEVER);
    const n = (approval.remindersSent ?? 0) + 1;
    state.update(() => (approval.remindersSent = n));
    state.audit({ actor: 'gangway', action: 'REMINDED', subscription: sub, reason: `reminder ${n}`, detail: { to: approval.approverEmail, delegate: approval.delegateEmail ?? null } });
    await tell(state, approval, 'REMINDER', approval.approverEmail, `${clock.revision}:${n}`);
    if (approval.delegateEmail) await tell(state, approval, 'REMINDER', approval.delegateEmail, `${clock.revision}:${n}:delegate`);
  }
  return false;
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
  const { view } = state;
  let written = 0;
  const unwritten = () => options.writeAudit && state.auditEvents.length > written;
  for (;;) {
    await condition(() => unwritten() || state.decisionsToAnnounce.length > 0 || settled());
    if (unwritten()) {
      const events = state.auditEvents.slice(written);
      await db.recordAuditEvents({ onboardingId: view.id, events });
      written += events.length;
    } else if (state.decisionsToAnnounce.length > 0) {
      await announce(state, state.decisionsToAnnounce.shift()!);
    } else {
      return;
    }
  }
}

function announce(state: OnboardingState, approval: ApprovalView) {
  const { view, input } = state;
  return notify.notifyDecision({ onboardingId: view.id, to: input.startedBy.email, tenantName: input.request.tenant.name, approval });
}
