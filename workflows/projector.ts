import { condition } from '@temporalio/workflow';
import { projection } from './activity-options';
import type { OnboardingState } from './onboarding-state';

/**
 * Keeps the PostgreSQL read model in step with the workflow from a loop of its own, so a slow
 * database never holds the business process back. Bursts of changes coalesce into one write;
 * status transitions are passed one by one because each of them becomes a webhook.
 */
export class Projector {
  private projectedVersion = 0;
  private announcedTransitions = 0;

  constructor(private readonly state: OnboardingState) {}

  async run(isFinished: () => boolean): Promise<void> {
    for (;;) {
      await condition(() => this.state.view.version > this.projectedVersion || isFinished());
      if (this.state.view.version <= this.projectedVersion) return;
      const view = JSON.parse(JSON.stringify(this.state.view)) as typeof this.state.view;
      const transitions = this.state.transitions.slice(this.announcedTransitions);
      await projection.recordProgress({ view, transitions, notify: this.state.input.request.notify });
      this.projectedVersion = view.version;
      this.announcedTransitions += transitions.length;
    }
  }

  /** Resolves once the read model shows at least this version (read-your-writes for the API). */
  caughtUp(version: number): Promise<void> {
    return condition(() => this.projectedVersion >= version);
  }
}
