import { applyDecision, validateDecision } from './approval-rules';
import type { DecideApprovalInput } from './messages';
import {
  STEP_NAMES,
  type ApprovalView,
  type AuditEvent,
  type ClientView,
  type OnboardingInput,
  type OnboardingStatus,
  type OnboardingView,
  type StepName,
  type StatusTransition,
  type StepStatus,
} from './types';

/**
 * The onboarding's one status object: the query returns it as it is and the projection stores it.
 * Every mutation goes through a method here so that `version` and `updatedAt` never fall behind.
 */
export class OnboardingState {
  readonly view: OnboardingView;
  /** Every status change in order; the projection turns each into one webhook. */
  readonly transitions: StatusTransition[] = [];
  /** Decisions the staff member who started the onboarding has not been told about yet. */
  readonly decisionsToAnnounce: ApprovalView[] = [];
  /** Who did what to the approval tasks, in order; written to PostgreSQL with the projection. */
  readonly auditEvents: AuditEvent[] = [];
  private readonly taskRevisions = new Map<string, number>();
  private storyLength = 0;

  constructor(readonly input: OnboardingInput, workflowId: string) {
    const now = new Date().toISOString();
    const { request } = input;
    this.view = {
      id: input.onboardingId,
      workflowId,
      status: 'RUNNING',
      tenant: { tenantId: null, partnerProvidedId: request.tenant.partnerProvidedId, name: request.tenant.name },
      integrationUser: { username: null },
      clientId: null,
      steps: STEP_NAMES.map((name) => ({ name, status: 'PENDING', startedAt: null, finishedAt: null, detail: null })),
      approvals: request.subscriptions.map((subscription) => {
        const stages = input.approval?.stages[subscription] ?? ['AM'];
        return {
          subscription,
          status: 'PENDING',
          approverEmail: input.approverEmail,
          decidedBy: null,
          decidedAt: null,
          comment: null,
          stage: stages[0],
          stages,
          delegateEmail: null,
          assignedAt: now,
          escalatedTo: [],
          remindersSent: 0,
          decisions: [],
        };
      }),
      subscriptions: request.subscriptions.map((code) => ({ code, status: 'REQUESTED' })),
      clients: request.clients.map((c) => ({
        partnerProvidedId: c.partnerProvidedId,
        connectivity: 'PENDING',
        attempts: 0,
        checks: 0,
        lastCheckedAt: null,
        lastError: null,
        awaitingCredentials: false,
      })),
      startedBy: input.startedBy.email,
      reason: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    this.transitions.push({ seq: 1, status: 'RUNNING', reason: null, occurredAt: now, storyIndex: ++this.storyLength });
  }

  private touched(): void {
    this.view.version += 1;
    this.view.updatedAt = new Date().toISOString();
  }

  get status(): OnboardingStatus {
    return this.view.status;
  }

  setStatus(status: OnboardingStatus, reason: string | null = this.view.reason): void {
    this.view.status = status;
    this.view.reason = reason;
    this.touched();
    this.transitions.push({ seq: this.transitions.length + 1, status, reason, occurredAt: this.view.updatedAt, storyIndex: ++this.storyLength });
  }

  step(name: StepName) {
    const step = this.view.steps.find((s) => s.name === name);
    if (!step) throw new Error(`unknown step ${name}`);
    return step;
  }

  markStep(name: StepName, status: StepStatus, detail: string | null = null): void {
    const step = this.step(name);
    const now = new Date().toISOString();
    if (status === 'RUNNING') {
      step.startedAt ??= now;
      step.finishedAt = null;
    } else if (status !== 'PENDING') {
      step.finishedAt = now;
    }
    step.status = status;
    if (detail !== null) step.detail = detail;
    this.touched();
  }

  update(mutate: (view: OnboardingView) => void): void {
    mutate(this.view);
    this.touched();
  }

  client(partnerProvidedId: string): ClientView {
    const client = this.view.clients.find((c) => c.partnerProvidedId === partnerProvidedId);
    if (!client) throw new Error(`unknown client ${partnerProvidedId}`);
    return client;
  }

  /** Throws, with a business type the API maps to 403/404/409, for any decision that may not be taken. */
  validateDecision(input: DecideApprovalInput): void {
    validateDecision(this, input);
  }

  /** Records a decision once; repeating the recorded decision returns it unchanged. */
  decide(input: DecideApprovalInput): ApprovalView {
    return applyDecision(this, input);
  }

  /** Queues an audit event; the projection writes them in order (workflows/projector.ts). */
  audit(event: Omit<AuditEvent, 'seq' | 'occurredAt' | 'storyIndex'>): void {
    this.auditEvents.push({ ...event, seq: this.auditEvents.length + 1, occurredAt: new Date().toISOString(), storyIndex: ++this.storyLength });
  }

  /** Wakes the task's supervisor: its approver, delegate or stage changed. */
  taskChanged(subscription: string): void {
    this.taskRevisions.set(subscription, this.taskRevision(subscription) + 1);
  }

  taskRevision(subscription: string): number {
    return this.taskRevisions.get(subscription) ?? 0;
  }

  setSubscriptionStatus(code: string, status: string): void {
    const subscription = this.view.subscriptions.find((s) => s.code === code);
    if (subscription) subscription.status = status;
    this.touched();
  }

  pendingApprovals(): ApprovalView[] {
    return this.view.approvals.filter((a) => a.status === 'PENDING');
  }
}
