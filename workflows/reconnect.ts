import { setHandler, workflowInfo } from '@temporalio/workflow';
import type { PortalClientView, ReconnectClientInput, ReconnectClientResult } from '../domain';
import { db } from './activity-options';
import { registerReconnectResend } from './client-actions';
import { runClientPath, Submissions, type ClientPathHost } from './clients';
import { carryNothing } from './carry';
import { MessageGate } from './message-gate';
import { credentialsSubmittedSignal } from './messages';

/**
 * Takes a client of a finished onboarding whose portal stopped accepting its credentials back
 * through collection: the same path as the onboarding (fresh collector link, submission by signal,
 * the portal checks, another link after wrong credentials up to CREDENTIAL_MAX_ATTEMPTS), then the
 * outcome is written into the onboarding's read model, whose own workflow has finished.
 */
export async function reconnectClientWorkflow(input: ReconnectClientInput): Promise<ReconnectClientResult> {
  const { onboardingId, client, firstAttempt, policy } = input;
  const { workflowId } = workflowInfo();
  const submissions = new Submissions();
  const gate = new MessageGate();
  setHandler(credentialsSubmittedSignal, (submission) => {
    if (gate.admitSignal(credentialsSubmittedSignal.name, submission)) submissions.record(submission);
  });

  const view: PortalClientView = {
    partnerProvidedId: client.partnerProvidedId,
    connectivity: 'FAILED',
    attempts: firstAttempt - 1,
    checks: 0,
    lastCheckedAt: null,
    lastError: 'WRONG_CREDENTIALS',
    awaitingCredentials: false,
  };
  // No status or steps of its own: the onboarding stays COMPLETED; only the client's entry changes.
  const host: ClientPathHost = {
    workflowId,
    onboardingId,
    policy,
    view,
    update: (mutate) => mutate(),
    refresh: () => undefined,
    verifying: () => undefined,
    carry: carryNothing,
  };
  registerReconnectResend(host, client, view, gate);
  // Only a staff retry carries requestedBy (inputs recorded before it have none, so their replay is unchanged).
  if (input.requestedBy) {
    await db.recordClientRetry({
      onboardingId,
      reconnectWorkflowId: workflowId,
      partnerProvidedId: client.partnerProvidedId,
      requestedBy: input.requestedBy,
      firstAttempt,
    });
  }
  await runClientPath(host, submissions, client, firstAttempt);

  await db.recordReconnection({
    onboardingId,
    reconnectWorkflowId: workflowId,
    client: {
      partnerProvidedId: client.partnerProvidedId,
      connectivity: view.connectivity,
      attempts: view.attempts,
      lastCheckedAt: view.lastCheckedAt,
      lastError: view.lastError,
    },
    checks: view.checks,
    occurredAt: new Date().toISOString(),
  });
  return { connectivity: view.connectivity, attempts: view.attempts, lastError: view.lastError };
}
