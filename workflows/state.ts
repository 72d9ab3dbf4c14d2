import {
  assertTransition,
  initialView,
  moveStep,
  type ApprovalView,
  type AuditEvent,
  type ClientConnectivityEvent,
  type Connectivity,
  type OnboardingInput,
  type OnboardingRequest,
  type OnboardingStatus,
  type OnboardingView,
  type PortalClientView,
  type StatusTransition,
  type StepName,
  type StepStatus,
  type StepView,
  type SubscriptionStatus,
} from '../domain';
import { carryNothing, type Carrier } from './carry';

/**
 * The onboarding's one status object: the query returns its view as it is and the projection stores
 * it. `change` is the one way to change the view, so that `version` and `updatedAt` never fall
 * behind; the other methods are named changes built on it.
 */
export class OnboardingState {
  readonly view: OnboardingView;
  /** Every status change in order; the projection turns each into one webhook. */
  readonly transitions: StatusTransition[] = [];
  /** Decisions the staff member who started the onboarding has not been told about yet. */
  readonly decisionsToAnnounce: ApprovalView[] = [];
  /** Who did what to the approval tasks, in order; written to PostgreSQL with the projection. */
  readonly auditEvents: AuditEvent[] = [];
  /** Every change of a client's connectivity, in order; the projection turns each into one webhook. */
  readonly clientEvents: ClientConnectivityEvent[] = [];
  /**
   * The request as amended since the start (PATCH, workflows/client-actions.ts): what later steps use.
   * The input stays as it was started, so replays begin from the same values and re-apply the Updates.
   */
  readonly request: OnboardingRequest;
  /** The highest collector link attempt issued per client: a retry numbers its links after it. */
  readonly lastLink = new Map<string, number>();
  /** Clients whose collector link is being issued right now: a resend or amendment waits for it. */
  readonly issuing = new Set<string>();
  /**
   * How the onboarding schedules an activity that takes the read model's pending write along: its
   * Projector's `carrying`, once the workflow has wired it (workflows/onboarding.ts). Until then, none.
   */
  carry: Carrier = carryNothing;
  private readonly connectivity = new Map<string, Connectivity>();
  private readonly taskRevisions = new Map<string, number>();
  private readonly watchers: ((view: OnboardingView) => void)[] = [];
  private storyLength = 0;

  constructor(
    readonly input: OnboardingInput,
    workflowId: string,
  ) {
    this.view = initialView(input, workflowId, new Date().toISOString());
    this.request = JSON.parse(JSON.stringify(input.request)) as OnboardingRequest;
    for (const c of this.view.clients) this.connectivity.set(c.partnerProvidedId, c.connectivity);
    this.transitions.push({
      seq: 1,
      status: 'RUNNING',
      reason: null,
      occurredAt: this.view.createdAt,
      storyIndex: ++this.storyLength,
    });
  }

  change(mutate: (view: OnboardingView, now: string) => void): void {
    const now = new Date().toISOString();
    mutate(this.view, now);
    this.view.version += 1;
    this.view.updatedAt = now;
    this.noteConnectivity(now);
    for (const watch of this.watchers) watch(this.view);
  }

  /** Calls `watch` now and after every change (workflows/visibility.ts shows the view in Temporal's UI). */
  watch(watch: (view: OnboardingView) => void): void {
    this.watchers.push(watch);
    watch(this.view);
  }

  /** Queues a client.connectivity_changed event for each client whose connectivity the change moved. */
  private noteConnectivity(now: string): void {
    for (const c of this.view.clients) {
      if (this.connectivity.get(c.partnerProvidedId) === c.connectivity) continue;
      this.connectivity.set(c.partnerProvidedId, c.connectivity);
      this.clientEvents.push({
        seq: this.clientEvents.length + 1,
        partnerProvidedId: c.partnerProvidedId,
        connectivity: c.connectivity,
        attempts: c.attempts,
        lastError: c.lastError,
        occurredAt: now,
      });
    }
  }

  get status(): OnboardingStatus {
    return this.view.status;
  }

  setStatus(status: OnboardingStatus, reason: string | null = this.view.reason): void {
    assertTransition(this.view.status, status);
    this.change((v) => {
      v.status = status;
      v.reason = reason;
    });
    this.transitions.push({
      seq: this.transitions.length + 1,
      status,
      reason,
      occurredAt: this.view.updatedAt,
      storyIndex: ++this.storyLength,
    });
  }

  step(name: StepName): StepView {
    const step = this.view.steps.find((s) => s.name === name);
    if (!step) throw new Error(`unknown step ${name}`);
    return step;
  }

  markStep(name: StepName, status: StepStatus, detail: string | null = null): void {
    this.change((_, now) => moveStep(this.step(name), status, detail, now));
  }

  client(partnerProvidedId: string): PortalClientView {
    const client = this.view.clients.find((c) => c.partnerProvidedId === partnerProvidedId);
    if (!client) throw new Error(`unknown client ${partnerProvidedId}`);
    return client;
  }

  setSubscriptionStatus(code: string, status: SubscriptionStatus): void {
    this.change((v) => {
      const subscription = v.subscriptions.find((s) => s.code === code);
      if (subscription) subscription.status = status;
    });
  }

  /** Queues an audit event; the projection writes them in order (workflows/projector.ts). */
  audit(event: Omit<AuditEvent, 'seq' | 'occurredAt' | 'storyIndex'>): void {
    this.auditEvents.push({
      ...event,
      seq: this.auditEvents.length + 1,
      occurredAt: new Date().toISOString(),
      storyIndex: ++this.storyLength,
    });
  }

  /** Wakes the task's supervisor: its approver, delegate or stage changed. */
  taskChanged(subscription: string): void {
    this.taskRevisions.set(subscription, this.taskRevision(subscription) + 1);
  }

  taskRevision(subscription: string): number {
    return this.taskRevisions.get(subscription) ?? 0;
  }

  pendingApprovals(): ApprovalView[] {
    return this.view.approvals.filter((a) => a.status === 'PENDING');
  }
}
