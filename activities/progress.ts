import type { NewAuditEvent } from '../db/audit';
import { writeOnboardingProgress } from '../db/onboardings';
import { webhookPayload } from '../notify/webhook-outbox';
import type { AuditEvent, ClientConnectivityEvent, OnboardingView, StatusTransition } from '../domain';
import { approvalAuditRow } from './audit';
import type { ActivityDeps } from './deps';

export interface RecordProgressInput {
  view: OnboardingView;
  transitions: StatusTransition[];
  /** Approval events since the last write (absent for onboardings from before audit-with-projection). */
  auditEvents?: AuditEvent[];
  /** Clients' connectivity changes since the last write (absent for onboardings from before them). */
  clientEvents?: ClientConnectivityEvent[];
  notify: { email: string; webhookUrl?: string };
  /** The workflow's first run id, recorded by the first write (the start does not wait to write it). */
  firstRunId?: string;
}

/**
 * Every activity as the workflow sees it: its input may take the read model's pending write along
 * (workflows/projector.ts, `carrying`), which `withCarriedProgress` writes before the activity's own work.
 */
export type CarryingProgress<A> = {
  [K in keyof A]: A[K] extends (input: infer I) => infer R
    ? Parameters<A[K]> extends []
      ? A[K]
      : (input: I & { progress?: RecordProgressInput }) => R
    : A[K];
};

export const STATUS_CHANGED = 'onboarding.status_changed';
export const CONNECTIVITY_CHANGED = 'client.connectivity_changed';

export function progressActivities({ pool }: Pick<ActivityDeps, 'pool'>) {
  return {
    /**
     * Writes the read model; a stale or replayed write (lower version) changes nothing. The audit
     * trail's rows (status changes and approval events, in the order they happened) and a webhook for
     * each status transition and client connectivity change, keyed by the workflow's own sequence
     * numbers, go in the same statement: a retried write never queues one twice and a lost write never
     * loses one. Queued with or without the onboarding's own webhookUrl: subscriptions may want them.
     */
    async recordProgress({
      view,
      transitions,
      auditEvents = [],
      clientEvents = [],
      notify,
      firstRunId,
    }: RecordProgressInput): Promise<void> {
      const story = [
        ...transitions.map((t) => ({ at: t.storyIndex ?? 0, row: statusAuditRow(view, t) })),
        ...auditEvents.map((e) => ({ at: e.storyIndex ?? 0, row: approvalAuditRow(e) })),
      ].sort((a, b) => a.at - b.at);
      const events = [
        ...transitions.map((t) => ({
          id: `${view.id}.${t.seq}`,
          type: STATUS_CHANGED,
          occurredAt: t.occurredAt,
          data: { status: t.status, reason: t.reason, workflowId: view.workflowId },
        })),
        // Keyed by the workflow's own sequence of client changes, like the status changes above.
        ...clientEvents.map((e) => ({
          id: `${view.id}.client.${e.seq}`,
          type: CONNECTIVITY_CHANGED,
          occurredAt: e.occurredAt,
          data: {
            partnerProvidedId: e.partnerProvidedId,
            connectivity: e.connectivity,
            attempts: e.attempts,
            lastError: e.lastError,
          },
        })),
      ];
      await writeOnboardingProgress(pool, {
        view,
        firstRunId,
        notify,
        auditEvents: story.map((s) => s.row),
        webhooks: events.map((e) => ({
          id: e.id,
          type: e.type,
          payload: webhookPayload({ ...e, onboardingId: view.id }),
        })),
      });
    },
  };
}

/** Status changes open and close the audit trail's story (who started it, how it ended). */
const statusAuditRow = (view: OnboardingView, t: StatusTransition): NewAuditEvent => ({
  event_key: `status:${t.seq}`,
  occurred_at: t.occurredAt,
  actor: t.seq === 1 ? view.startedBy : 'gangway',
  action: t.seq === 1 ? 'ONBOARDING_STARTED' : `ONBOARDING_${t.status}`,
  subscription: null,
  reason: t.reason,
  detail: {},
});

/**
 * Wraps each activity so that a write the workflow handed it (`progress`) lands first, then the
 * activity runs on the rest of its input. A retried attempt writes it again, which changes nothing
 * (recordProgress is idempotent); the write precedes the work, so the view shows the step running.
 */
export function withCarriedProgress<A extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: A,
  recordProgress: (progress: RecordProgressInput) => Promise<void>,
): A {
  const wrapped: Record<string, (input?: unknown) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    const run = activity as (input?: unknown) => Promise<unknown>;
    wrapped[name] = async (input?: unknown) => {
      if (!carries(input)) return run(input);
      const { progress, ...rest } = input;
      await recordProgress(progress);
      return run(rest);
    };
  }
  return wrapped as unknown as A;
}

const carries = (input: unknown): input is { progress: RecordProgressInput } =>
  !!input && typeof input === 'object' && (input as { progress?: unknown }).progress !== undefined;
