import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { credentialsSubmittedSignal } from './messages';
import { signalWithProof } from './proven-signal';

const { listUnsignalledSubmissions, markSubmissionsSignalled } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

/** How many signals are sent at once. */
const PARALLEL = 20;

/**
 * Run by one Temporal Schedule per installation (api/schedules.ts, every
 * SUBMISSION_RECONCILE_INTERVAL): delivers each credential submission that was stored but whose signal
 * never went through, because the collector's process died or Temporal was down between the commit and
 * the signal. Signalling twice is harmless: a workflow keeps one submission per client and attempt,
 * and both carry the same link. A workflow that is gone, or an onboarding that finished, waits for
 * nothing any more: its submission is marked and left.
 */
export async function reconcileSubmissionsWorkflow(): Promise<{ delivered: number; abandoned: number }> {
  const { submissions } = await listUnsignalledSubmissions();
  let delivered = 0;
  let abandoned = 0;
  for (let i = 0; i < submissions.length; i += PARALLEL) {
    const batch = submissions.slice(i, i + PARALLEL);
    await Promise.all(
      batch.map(async (s) => {
        if (s.finished) return abandoned++;
        // Sealed by this worker's codec like the API's, and bound to the workflow it is for.
        const sent = await signalWithProof(
          credentialsSubmittedSignal,
          { workflowId: s.workflowId },
          {
            clientId: s.clientId,
            attempt: s.attempt,
            collectorLinkId: s.collectorLinkId,
          },
        );
        if (sent) delivered++;
        else abandoned++;
      }),
    );
    await markSubmissionsSignalled({ collectorLinkIds: batch.map((s) => s.collectorLinkId) });
  }
  return { delivered, abandoned };
}
