import {
  listUnsignalledSubmissions,
  markSubmissionsSignalled,
  type UnsignalledSubmission,
} from '../db/collector-links';
import type { ActivityDeps } from './deps';

/** Longer than the collector waits for Temporal (SIGNAL_DEADLINE_MS), so a request still signalling is left alone. */
export const RECONCILE_AFTER_MS = 30_000;
/** One run's batch; a larger backlog is taken by the next runs. */
const BATCH = 200;

export interface MarkSubmissionsSignalledInput {
  collectorLinkIds: string[];
}

export function submissionReconciliationActivities({ pool }: ActivityDeps) {
  return {
    /** Stored submissions whose signal may have been lost; the workflow signals them, then marks them. */
    async listUnsignalledSubmissions(): Promise<{ submissions: UnsignalledSubmission[] }> {
      return { submissions: await listUnsignalledSubmissions(pool, RECONCILE_AFTER_MS, BATCH) };
    },

    async markSubmissionsSignalled({ collectorLinkIds }: MarkSubmissionsSignalledInput): Promise<void> {
      if (collectorLinkIds.length > 0) await markSubmissionsSignalled(pool, collectorLinkIds);
    },
  };
}
