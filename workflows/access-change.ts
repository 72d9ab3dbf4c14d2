import { condition, setHandler } from '@temporalio/workflow';
import {
  decideAccessChange,
  validateAccessDecision,
  type AccessApproval,
  type AccessChangeInput,
  type AccessChangeResult,
  type AccessChangeView,
} from '../domain';
import { db, notify } from './activity-options';
import { refusedAsFailure } from './approval-decisions';
import { MessageGate } from './message-gate';
import { decideAccessChangeUpdate, getAccessChangeQuery, withdrawAccessChangeSignal } from './messages';

/**
 * Widens an API user's invoice-data access once an approver has said yes (Ongoing WMS). The approver is
 * asked, reminded and escalated to on the onboarding approvals' clocks, and the request EXPIRES unanswered
 * like theirs; the decision is an Update whose validator applies the same rules. Only APPROVE changes the
 * user; REJECT, expiry and a withdrawal (the tenant's offboarding, by signal) leave it as it was. The API
 * wrote the PENDING row before starting this.
 */
export async function accessChangeWorkflow(input: AccessChangeInput): Promise<AccessChangeResult> {
  const { view } = input;
  const approval = view.approval!;
  const gate = new MessageGate();
  let settled = false;

  setHandler(getAccessChangeQuery, () => view);
  setHandler(
    decideAccessChangeUpdate,
    async (decision) => {
      change(view, (v, now) => decideAccessChange(v, decision, now));
      // The approver is answered once the decision has taken effect and is stored.
      await condition(() => settled);
      return view;
    },
    {
      validator: (decision) => {
        gate.requireUpdate(decideAccessChangeUpdate.name, decision);
        refusedAsFailure(() => validateAccessDecision(view, decision));
      },
    },
  );

  // No patch: only a withdrawal, which no earlier run received, takes the new path.
  setHandler(withdrawAccessChangeSignal, (request) => {
    if (!gate.admitSignal(withdrawAccessChangeSignal.name, request)) return;
    if (approval.status !== 'PENDING' || view.status !== 'PENDING') return; // decided first: it stands
    change(view, (v) => ((v.status = 'WITHDRAWN'), true));
  });

  await tell(view, 'ASSIGNED', approval.approverEmail, 'assigned');
  await awaitDecision(input, approval);

  if (approval.status === 'APPROVED') {
    change(view, (v, now) => {
      v.status = 'APPLIED';
      v.appliedAt = now;
      return true;
    });
    await db.applyAccessChange({ view: snapshot(view) });
  } else {
    await db.recordAccessChange({ view: snapshot(view) });
  }
  settled = true;
  await notify.notifyAccessChangeDecided({ view: snapshot(view) });
  return { status: view.status };
}

/** One timer at a time, for the nearest of reminder, escalation and expiry; a decision wakes it. */
async function awaitDecision({ view, deadlines, escalateTo }: AccessChangeInput, approval: AccessApproval) {
  const started = Date.now();
  let remindAt = started + deadlines.reminderIntervalMs;
  let escalateAt = started + deadlines.escalateAfterMs;
  const expireAt = started + deadlines.expireAfterMs;
  for (;;) {
    const wakeAt = Math.min(remindAt, escalateAt, expireAt);
    const ended = () => approval.status !== 'PENDING' || view.status !== 'PENDING';
    if (await condition(ended, Math.max(1, wakeAt - Date.now()))) return;
    const now = Date.now();
    if (now >= expireAt) {
      // Treat no answer in time as no: the access stays as it was.
      change(view, (v) => {
        approval.status = 'EXPIRED';
        v.status = 'EXPIRED';
        return true;
      });
      return;
    }
    if (now >= escalateAt) {
      escalateAt = Number.POSITIVE_INFINITY;
      const targets = escalateTo.filter((t) => t.toLowerCase() !== approval.approverEmail.toLowerCase());
      if (targets.length > 0) {
        change(view, () => ((approval.escalatedTo = targets), true));
        await db.recordAccessChange({ view: snapshot(view) });
        for (const target of targets) await tell(view, 'ESCALATION', target, `escalation:${target}`);
      }
    }
    if (now >= remindAt) {
      remindAt = now + deadlines.reminderIntervalMs;
      change(view, () => ((approval.remindersSent += 1), true));
      await db.recordAccessChange({ view: snapshot(view) });
      await tell(view, 'REMINDER', approval.approverEmail, `reminder:${approval.remindersSent}`);
    }
  }
}

function tell(view: AccessChangeView, kind: 'ASSIGNED' | 'REMINDER' | 'ESCALATION', to: string, key: string) {
  return notify.notifyAccessChangeTask({ view: snapshot(view), kind, to, key });
}

/** Applies a change to the view; one that changed something gets the next version. */
function change(view: AccessChangeView, mutate: (view: AccessChangeView, now: string) => boolean): void {
  if (mutate(view, new Date().toISOString())) view.version += 1;
}

/** What an activity stores: a copy, so a later change never alters a write already scheduled. */
const snapshot = (view: AccessChangeView): AccessChangeView => JSON.parse(JSON.stringify(view)) as AccessChangeView;
