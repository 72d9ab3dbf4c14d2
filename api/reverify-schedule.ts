import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import { reverifyScheduleId } from '../domain';
import type { Logger } from '../lib/logger';
import type { reverifyConnectivityWorkflow } from '../workflows';

/**
 * One schedule per installation (per task queue) re-checks every connected client, rather than one
 * per onboarding: nothing to create, pause or delete as onboardings come and go, and the interval
 * changes in one place. Created at API start if missing; an existing one takes the configured interval.
 */
export async function ensureReverifySchedule(temporal: Client, config: Config, log: Logger): Promise<void> {
  const scheduleId = reverifyScheduleId(config.temporal.taskQueue);
  const spec = { intervals: [{ every: config.reverifyIntervalMs }] };
  try {
    await temporal.schedule.create({
      scheduleId,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: 'reverifyConnectivityWorkflow' satisfies (typeof reverifyConnectivityWorkflow)['name'],
        taskQueue: config.temporal.taskQueue,
        workflowId: `reverify-${config.temporal.taskQueue}`,
        args: [],
      },
      // A run still going when the next is due is enough: skip rather than pile up.
      policies: { overlap: 'SKIP', catchupWindow: '1h' },
    });
    log.info({ scheduleId, everyMs: config.reverifyIntervalMs }, 're-verification schedule created');
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec }));
  }
}
