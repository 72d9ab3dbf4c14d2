import { Context } from '@temporalio/activity';
import { deleteUnstartedOffboarding } from '../db/offboardings';
import { deleteUnstartedOnboarding } from '../db/onboardings';
import { pruneExpiredRecords, type PrunedRecords } from '../db/retention';
import { listUnstartedRows } from '../db/unstarted-rows';
import { isWorkflowRunning } from '../lib/workflow-running';
import type { ActivityDeps } from './deps';

/**
 * How long a row may stay unwritten by its workflow before Temporal is asked about it: far beyond a start
 * request's 10 s Temporal deadline (api/app.ts), so that no start still under way is looked at.
 */
export const UNSTARTED_ROW_GRACE_MS = 15 * 60_000;

/** What removeUnstartedRows removed, and what it left because their workflow runs (its worker may be down). */
export interface UnstartedRows {
  onboardings: number;
  offboardings: number;
  leftRunning: number;
}

/** The housekeeping Schedule's steps (workflows/housekeeping.ts); each deletes again nothing, so a retry is safe. */
export function housekeepingActivities({ pool, config, log }: Pick<ActivityDeps, 'pool' | 'config' | 'log'>) {
  return {
    async pruneExpiredRecords(): Promise<PrunedRecords> {
      return pruneExpiredRecords(pool, config);
    },

    /**
     * The API writes an onboarding's (or offboarding's) row before it starts the workflow, and removes it
     * again if Temporal refuses. An API that dies between the two leaves the row behind at version 0, and it
     * would stand for an open onboarding of its tenant forever (every new start refused with 409). Such a
     * row is removed once Temporal has no running execution of its workflow id: none at all, or only a
     * closed earlier one (a tenant onboarded, offboarded, and started again). A running one keeps its row,
     * since that workflow will write it once a worker picks it up.
     */
    async removeUnstartedRows(): Promise<UnstartedRows> {
      const client = Context.current().client;
      const removed: UnstartedRows = { onboardings: 0, offboardings: 0, leftRunning: 0 };
      const kinds = [
        { kind: 'onboardings', remove: deleteUnstartedOnboarding },
        { kind: 'offboardings', remove: deleteUnstartedOffboarding },
      ] as const;
      for (const { kind, remove } of kinds) {
        for (const row of await listUnstartedRows(pool, kind, UNSTARTED_ROW_GRACE_MS)) {
          if (await isWorkflowRunning(client, row.workflow_id)) {
            removed.leftRunning++;
            continue;
          }
          await remove(pool, row.id);
          removed[kind]++;
          log.warn({ id: row.id, workflowId: row.workflow_id, kind }, 'removed a row whose workflow never started');
        }
      }
      return removed;
    },
  };
}
