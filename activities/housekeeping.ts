import { pruneExpiredRecords, type PrunedRecords } from '../db/retention';
import type { ActivityDeps } from './deps';

/** The housekeeping Schedule's one step (workflows/housekeeping.ts); deleting again deletes nothing, so a retry is safe. */
export function housekeepingActivities({ pool, config }: Pick<ActivityDeps, 'pool' | 'config'>) {
  return {
    async pruneExpiredRecords(): Promise<PrunedRecords> {
      return pruneExpiredRecords(pool, config);
    },
  };
}
