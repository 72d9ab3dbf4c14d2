import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import { housekeepingScheduleId, reconcileSubmissionsScheduleId, reverifyScheduleId } from '../domain';
import type { Logger } from '../lib/logger';
import type { housekeepingWorkflow, reconcileSubmissionsWorkflow, reverifyConnectivityWorkflow } from '../workflows';

/**
 * The installation's periodic workflows, one Temporal Schedule each per task queue rather than one per
 * onboarding: nothing to create, pause or delete as onboardings come and go, and each interval changes
 * in one place. Created at API start if missing; an existing one takes the configured interval.
 */
export async function ensureSchedules(temporal: Client, config: Config, log: Logger): Promise<void> {
  const queue = config.temporal.taskQueue;
  await ensureSchedule(temporal, config, log, {
    scheduleId: reverifyScheduleId(queue),
    workflowType: 'reverifyConnectivityWorkflow' satisfies (typeof reverifyConnectivityWorkflow)['name'],
    workflowId: `reverify-${queue}`,
    everyMs: config.reverifyIntervalMs,
  });
  await ensureSchedule(temporal, config, log, {
    scheduleId: reconcileSubmissionsScheduleId(queue),
    workflowType: 'reconcileSubmissionsWorkflow' satisfies (typeof reconcileSubmissionsWorkflow)['name'],
    workflowId: `reconcile-submissions-${queue}`,
    everyMs: config.submissionReconcileIntervalMs,
  });
  await ensureSchedule(temporal, config, log, {
    scheduleId: housekeepingScheduleId(queue),
    workflowType: 'housekeepingWorkflow' satisfies (typeof housekeepingWorkflow)['name'],
    workflowId: `housekeeping-${queue}`,
    everyMs: config.housekeepingIntervalMs,
  });
}

interface PeriodicWorkflow {
  scheduleId: string;
  workflowType: string;
  workflowId: string;
  everyMs: number;
}

async function ensureSchedule(
  temporal: Client,
  config: Config,
  log: Logger,
  { scheduleId, workflowType, workflowId, everyMs }: PeriodicWorkflow,
): Promise<void> {
  const spec = { intervals: [{ every: everyMs }] };
  try {
    await temporal.schedule.create({
      scheduleId,
      spec,
      action: { type: 'startWorkflow', workflowType, taskQueue: config.temporal.taskQueue, workflowId, args: [] },
      // A run still going when the next is due is enough: skip rather than pile up.
      policies: { overlap: 'SKIP', catchupWindow: '1h' },
    });
    log.info({ scheduleId, everyMs }, 'schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
  }
}
