import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { withLogContext } from '../lib/log-context';

/**
 * Every log line an activity writes, through the injected logger at any depth (db/, notify/), names
 * the workflow and run it serves, the activity type and the attempt: enough to find the history event.
 */
export const activityLogContext: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute: (input, next) => {
      const { workflowExecution, activityType, attempt } = ctx.info;
      return withLogContext(
        {
          workflowId: workflowExecution?.workflowId ?? '',
          runId: workflowExecution?.runId ?? '',
          activityType,
          attempt,
        },
        () => next(input),
      );
    },
  },
});
