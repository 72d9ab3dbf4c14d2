import { condition, workflowInfo } from '@temporalio/workflow';
import type { RecordProgressInput } from '../activities/progress';
import { projection } from './activity-options';
import type { OnboardingState } from './state';

/** How much of the state a write holds: its view's version and how many of each queued event. */
interface Position {
  version: number;
  transitions: number;
  auditEvents: number;
  clientEvents: number;
}

/**
 * Keeps the PostgreSQL read model in step with the workflow from a loop of its own, so the business
 * process never stops to wait for a write (a carried one, below, goes ahead of its activity's own
 * work, which needs the database anyway). Bursts of changes coalesce into one write;
 * status transitions are passed one by one because each of them becomes a webhook. The approval
 * events of the audit trail ride along in the same write, so the trail and the view never disagree;
 * so do clients' connectivity changes, each one a `client.connectivity_changed` webhook.
 *
 * A write is a local activity of the loop's own, or (runs with `progress-with-steps`) rides in the
 * input of an activity the workflow schedules anyway (`carrying`), which writes it before its own
 * work: most steps then cost no local activity. Every write holds everything since the last one known
 * to be written, and the write is idempotent (versioned view, keyed rows), so a carried write that
 * lands late or twice, or after a newer one, changes nothing; one whose activity failed is written
 * again by the loop. What waits for the read model (`caughtUp`, `settled`) gets a write of the loop's
 * own at once rather than waiting for a carrying activity to end.
 *
 * Each time the read model has caught up it calls `onCaughtUp` (the search attributes' upsert,
 * workflows/visibility.ts): after a write of its own, or once the activation in which a carried write
 * became known has run, so that Temporal's list never shows what the API does not show yet, and shows
 * it at most once per workflow task.
 */
export class Projector {
  private written: Position = { version: 0, transitions: 0, auditEvents: 0, clientEvents: 0 };
  private readonly onTheirWay = new Set<Position>();
  private waiting = 0;
  private carriedWritten = false;

  constructor(
    private readonly state: OnboardingState,
    private readonly onCaughtUp: () => void = () => undefined,
    /** patched(PATCHES.progressWithSteps), checked by the workflow (workflows/onboarding.ts). */
    private readonly withSteps = false,
  ) {}

  async run(isFinished: () => boolean): Promise<void> {
    for (;;) {
      await condition(() => this.due() || this.carriedWritten || isFinished());
      // A carried write is known written once its activity has ended. The workflow has moved on from
      // that activation by now (conditions are checked once its microtasks have run): caught up still,
      // the attributes show it; moved on, the write on its way will.
      if (this.carriedWritten) {
        this.carriedWritten = false;
        if (!this.behind(this.written)) this.onCaughtUp();
      }
      // At the end, what a carrying activity may still hold is written here too.
      if (!this.due() && !(isFinished() && this.behind(this.written))) {
        if (isFinished()) return;
        continue; // a carrying activity wrote it meanwhile
      }
      // The amended notify (PATCH): webhooks go to the address that holds now.
      await this.handOver((progress) => projection.recordProgress(progress));
      if (!this.behind(this.written)) this.onCaughtUp();
    }
  }

  /**
   * Schedules an activity with the read model's pending write in its input (`progress`), which the
   * activity writes before its own work (activities/progress.ts). Nothing pending, or a run from
   * before `progress-with-steps`: the activity is scheduled as it is.
   */
  carrying<T>(schedule: (progress?: RecordProgressInput) => Promise<T>): Promise<T> {
    if (!this.withSteps || !this.behind(this.reached())) return schedule();
    return this.handOver(schedule, () => (this.carriedWritten = true));
  }

  /** Resolves once the read model shows at least this version (read-your-writes for the API). */
  caughtUp(version: number): Promise<void> {
    return this.waitFor(() => this.written.version >= version);
  }

  /** Resolves once everything queued so far is written, audit events included (they carry no version). */
  settled(): Promise<void> {
    return this.waitFor(() => !this.behind(this.written));
  }

  /** The caller gets condition()'s own promise: no extra turn of the event loop, as before the count. */
  private waitFor(written: () => boolean): Promise<void> {
    this.waiting += 1;
    const waited = condition(written);
    waited.finally(() => (this.waiting -= 1)).catch(() => undefined);
    return waited;
  }

  /** Hands everything since the last known write to `write`; once it returns, that much is written. */
  private async handOver<T>(write: (progress: RecordProgressInput) => Promise<T>, written?: () => void): Promise<T> {
    const { state } = this;
    const from = this.written;
    const to = this.now();
    const progress: RecordProgressInput = {
      view: JSON.parse(JSON.stringify(state.view)) as typeof state.view,
      transitions: state.transitions.slice(from.transitions),
      auditEvents: state.auditEvents.slice(from.auditEvents),
      clientEvents: state.clientEvents.slice(from.clientEvents),
      notify: state.request.notify,
      // The start answers without writing it (db/onboardings.ts, writeOnboardingProgress).
      firstRunId: workflowInfo().firstExecutionRunId,
    };
    this.onTheirWay.add(to);
    try {
      const result = await write(progress);
      this.written = furthest(this.written, to);
      written?.();
      return result;
    } finally {
      this.onTheirWay.delete(to);
    }
  }

  /** A write is due when something is on no write's way, or someone waits for one. */
  private due(): boolean {
    return this.behind(this.reached()) || (this.waiting > 0 && this.behind(this.written));
  }

  private reached(): Position {
    let reached = this.written;
    for (const position of this.onTheirWay) reached = furthest(reached, position);
    return reached;
  }

  private now(): Position {
    const { state } = this;
    return {
      version: state.view.version,
      transitions: state.transitions.length,
      auditEvents: state.auditEvents.length,
      clientEvents: state.clientEvents.length,
    };
  }

  private behind(position: Position): boolean {
    const now = this.now();
    return (
      now.version > position.version ||
      now.auditEvents > position.auditEvents ||
      now.transitions > position.transitions ||
      now.clientEvents > position.clientEvents
    );
  }
}

/** Positions are prefixes of the same queues, so the further of two is the greater of each count. */
function furthest(a: Position, b: Position): Position {
  return {
    version: Math.max(a.version, b.version),
    transitions: Math.max(a.transitions, b.transitions),
    auditEvents: Math.max(a.auditEvents, b.auditEvents),
    clientEvents: Math.max(a.clientEvents, b.clientEvents),
  };
}
