import type { Client } from '@temporalio/client';
import { pollUntil } from './wait';

/**
 * Runs a Schedule's action now, as its next interval would, and waits for that run to finish.
 *
 * Why the test waits for the run itself rather than for its effects: a trigger (overlap ALLOW_ALL)
 * is not tracked among the schedule's running actions, and the schedule names its runs by the second
 * (`<scheduleId>-<RFC3339 seconds>`), so a second trigger within the same second as a run that is still
 * going is refused as a duplicate id. Waiting for each run to close makes the next trigger start a run.
 */
export async function runScheduleNow<T = unknown>(
  temporal: Client,
  scheduleId: string,
): Promise<{ workflowId: string; result: T }> {
  const schedule = temporal.schedule.getHandle(scheduleId);
  // The schedule keeps only its last few actions, so the new run is told by its run id, not by a count.
  const newestRun = async () => (await schedule.describe()).info.recentActions.at(-1)?.action.workflow;
  const before = (await newestRun())?.firstExecutionRunId;
  await schedule.trigger();
  const started = await pollUntil(newestRun, (run) => run !== undefined && run.firstExecutionRunId !== before);
  if (!started || started.firstExecutionRunId === before)
    throw new Error(`schedule ${scheduleId} started no run within 20 s`);
  const handle = temporal.workflow.getHandle(started.workflowId, started.firstExecutionRunId);
  return { workflowId: started.workflowId, result: (await handle.result()) as T };
}
