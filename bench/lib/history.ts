import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type Event = { eventType?: unknown; eventTime?: { seconds?: unknown; nanos?: number | null } | null };
const millis = (e: Event) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
const isCompletion = (e: Event) => String(e.eventType) === 'ACTIVITY_TASK_COMPLETED' || Number(e.eventType) === 12;

/** Server time of the n-th completed (non-local) activity, or undefined if not yet there. */
export async function nthActivityCompletedAt(handle: WorkflowHandle, n: number): Promise<number | undefined> {
  const history = await handle.fetchHistory();
  const done = (history.events ?? []).filter((e) => isCompletion(e as Event));
  return done.length >= n ? millis(done[n - 1]) : undefined;
}

/** Polls until the n-th activity has completed; returns its server time. */
export async function waitForActivityCompletions(
  handle: WorkflowHandle,
  n: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = await nthActivityCompletedAt(handle, n);
    if (at !== undefined) return at;
    if (Date.now() > deadline) throw new Error(`activity #${n} did not complete within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Server time at which the n-th activity of this type completed, polling until it has. */
export async function waitForActivityOfType(
  handle: WorkflowHandle,
  type: string,
  n = 1,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = ((await handle.fetchHistory()).events ?? []) as (Event & {
      eventId?: unknown;
      activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
      activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
    })[];
    const scheduled = new Map(
      events
        .filter((e) => e.activityTaskScheduledEventAttributes)
        .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name]),
    );
    const done = events.filter(
      (e) =>
        isCompletion(e) && scheduled.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)) === type,
    );
    if (done.length >= n) return millis(done[n - 1]);
    if (Date.now() > deadline) throw new Error(`${type} #${n} did not complete within ${timeoutMs}ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface HistoryCensus {
  events: number;
  workflowTasks: number;
  activities: number;
  markers: number;
  /** UpsertWorkflowSearchAttributes: each is a visibility write on the server besides the event. */
  upserts: number;
  signals: number;
  updates: number;
  timers: number;
}

/** What one run cost the server, counted from its history: each workflow task and activity is a round trip and a commit. */
export async function historyCensus(handle: WorkflowHandle): Promise<HistoryCensus> {
  return censusOf(await handle.fetchHistory());
}

/** The census of a history already fetched. */
export function censusOf(history: temporal.api.history.v1.IHistory): HistoryCensus {
  const { EventType } = temporal.api.enums.v1;
  const events = (history.events ?? []).map((e) =>
    String(EventType[e.eventType as number] ?? e.eventType).replace(/^EVENT_TYPE_/, ''),
  );
  const count = (type: string) => events.filter((t) => t === type).length;
  return {
    events: events.length,
    workflowTasks: count('WORKFLOW_TASK_COMPLETED'),
    activities: count('ACTIVITY_TASK_SCHEDULED'),
    markers: count('MARKER_RECORDED'),
    upserts: count('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
    signals: count('WORKFLOW_EXECUTION_SIGNALED'),
    updates: count('WORKFLOW_EXECUTION_UPDATE_ACCEPTED'),
    timers: count('TIMER_STARTED'),
  };
}

/**
 * Workflow tasks that timed out in these workflows' histories: a task a starved worker did not
 * complete in time (10 s), or one left on a sticky queue nobody polled (5 s), each retried after the
 * wait. A row of scenario 1 or 7 that saw any was slowed by them.
 */
export async function workflowTaskTimeouts(client: Client, workflowIds: string[]): Promise<number> {
  let timeouts = 0;
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    timeouts += (history.events ?? []).filter(
      (e) => String(e.eventType) === 'WORKFLOW_TASK_TIMED_OUT' || Number(e.eventType) === 8,
    ).length;
  }
  return timeouts;
}

/**
 * How the workflow's input is stored in its history (the first payload's `encoding`), so that the bench
 * can refuse to measure a B2 that does not encrypt: `binary/encrypted` is the product's payload codec.
 */
export async function inputEncoding(handle: WorkflowHandle): Promise<string | undefined> {
  const started = (await handle.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
  const encoding = started?.input?.payloads?.[0]?.metadata?.encoding;
  return encoding ? Buffer.from(encoding).toString('utf8') : undefined;
}
