import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { reconnectWorkflowId, type ReconnectClientInput } from '../domain';
import { reconnectClientWorkflow } from './reconnect';

const { listConnectedClients, recordReverification, checkPortalLogin } = proxyActivities<
  ReturnType<typeof createActivities>
>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});

/** How many portals are logged into at once: enough to finish quickly, few enough to stay polite. */
const PARALLEL = 10;

/**
 * Run by one Temporal Schedule per installation (api/schedules.ts): logs into every
 * connected client's portal again. A portal that refuses the credentials marks the client FAILED,
 * tells the customer and sends the client back to collection (reconnectClientWorkflow); a portal
 * that is merely down is recorded and checked again next run.
 */
export async function reverifyConnectivityWorkflow(): Promise<{ checked: number; lost: number }> {
  const { clients } = await listConnectedClients();
  const runId = workflowInfo().workflowId;
  let lost = 0;
  for (let i = 0; i < clients.length; i += PARALLEL) {
    await Promise.all(
      clients.slice(i, i + PARALLEL).map(async (client) => {
        const result = await checkPortalLogin({
          onboardingId: client.onboardingId,
          collectorLinkId: client.collectorLinkId,
          portalUrl: client.portalUrl,
        });
        const recorded = await recordReverification({ client, result, checkedAt: new Date().toISOString(), runId });
        if (recorded.lost) lost++;
        if (recorded.reconnect) await startReconnect(recorded.reconnect);
      }),
    );
  }
  return { checked: clients.length, lost };
}

/**
 * Started as an abandoned child rather than from recordReverification through a Temporal client:
 * activities are given only the database, mail and HTTP (activities/deps.ts), and a start from here
 * is a command in this run's history, so a retried activity can never start a second one; the
 * deterministic id covers the rest (a reconnect already there is left alone). ABANDON lets the
 * reconnect wait days for the person while this run, and the schedule's next ones, go on.
 */
async function startReconnect(input: ReconnectClientInput): Promise<void> {
  try {
    await startChild(reconnectClientWorkflow, {
      workflowId: reconnectWorkflowId(input),
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
