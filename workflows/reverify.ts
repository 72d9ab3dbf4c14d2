import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';

const { listConnectedClients, recordReverification, checkPortalLogin } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});

/** How many portals are logged into at once: enough to finish quickly, few enough to stay polite. */
const PARALLEL = 10;

/**
 * Run by one Temporal Schedule per installation (worker/reverify-schedule.ts): logs into every
 * connected client's portal again. A portal that refuses the credentials marks the client FAILED
 * and tells the customer; a portal that is merely down is recorded and checked again next run.
 */
export async function reverifyConnectivityWorkflow(): Promise<{ checked: number; lost: number }> {
  const { clients } = await listConnectedClients();
  const runId = workflowInfo().workflowId;
  let lost = 0;
  for (let i = 0; i < clients.length; i += PARALLEL) {
    await Promise.all(
      clients.slice(i, i + PARALLEL).map(async (client) => {
        const result = await checkPortalLogin({ onboardingId: client.onboardingId, collectorLinkId: client.collectorLinkId, portalUrl: client.portalUrl });
        const recorded = await recordReverification({ client, result, checkedAt: new Date().toISOString(), runId });
        if (recorded.lost) lost++;
      }),
    );
  }
  return { checked: clients.length, lost };
}
