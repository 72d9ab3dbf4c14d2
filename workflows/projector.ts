import { condition, workflowInfo } from '@temporalio/workflow';
import { projection } from './activity-options';
import type { OnboardingState } from './state';

/**
 * Keeps the PostgreSQL read model in step with the workflow from a loop of its own, so a slow
 * database never holds the business process back. Bursts of changes coalesce into one write;
 * status transitions are passed one by one because each of them becomes a webhook. The approval
 * events of the audit trail ride along in the same write, so the trail and the view never disagree;
 * so do clients' connectivity changes, each one a `client.connectivity_changed` webhook.
 *
 * Each time it has caught up (nothing left to write) it calls `onCaughtUp` (the search attributes'
 * upsert, workflows/visibility.ts). That is at most once per workflow task: a write is a local
 * activity, which holds the task open until it is done, and what waits on `caughtUp` or `settled`
 * only returns, so nothing changes the view after the catch-up in the same task.
 */
export class Projector {
  private projectedVersion = 0;
  private announcedTransitions = 0;
  private writtenAuditEvents = 0;
  private announcedClientEvents = 0;

  constructor(
    private readonly state: OnboardingState,
    private readonly onCaughtUp: () => void = () => undefined,
  ) {}

  async run(isFinished: () => boolean): Promise<void> {
    for (;;) {
      await condition(() => this.behind() || isFinished());
      if (!this.behind()) return;
      const view = JSON.parse(JSON.stringify(this.state.view)) as typeof this.state.view;
      const transitions = this.state.transitions.slice(this.announcedTransitions);
      const auditEvents = this.state.auditEvents.slice(this.writtenAuditEvents);
      const clientEvents = this.state.clientEvents.slice(this.announcedClientEvents);
      // The amended notify (PATCH): webhooks go to the address that holds now.
      await projection.recordProgress({
        view,
        transitions,
        auditEvents,
        clientEvents,
        notify: this.state.request.notify,
        // The start answers without writing it (db/onboardings.ts, writeOnboardingProgress).
        firstRunId: workflowInfo().firstExecutionRunId,
      });
      this.projectedVersion = view.version;
      this.announcedTransitions += transitions.length;
      this.writtenAuditEvents += auditEvents.length;
      this.announcedClientEvents += clientEvents.length;
      if (!this.behind()) this.onCaughtUp();
    }
  }

  /** Resolves once the read model shows at least this version (read-your-writes for the API). */
  caughtUp(version: number): Promise<void> {
    return condition(() => this.projectedVersion >= version);
  }

  /** Resolves once everything queued so far is written, audit events included (they carry no version). */
  settled(): Promise<void> {
    return condition(() => !this.behind());
  }

  private behind(): boolean {
    return this.state.view.version > this.projectedVersion || this.state.auditEvents.length > this.writtenAuditEvents;
  }
}
