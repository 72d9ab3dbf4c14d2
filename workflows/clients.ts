import { ActivityFailure, condition, patched } from '@temporalio/workflow';
import { notify, portal } from './activity-options';
import { checkUntilAnswered } from './connectivity-checks';
import type { CredentialsSubmittedInput } from './messages';
import type { OnboardingState } from './onboarding-state';
import type { ClientRequest } from './types';

/** Submissions arrive by signal at any time; each client's pipeline picks up the one for its attempt. */
export class Submissions {
  private readonly received = new Map<string, CredentialsSubmittedInput>();
  private key = (clientId: string, attempt: number) => `${clientId}#${attempt}`;

  record(submission: CredentialsSubmittedInput): void {
    this.received.set(this.key(submission.clientId, submission.attempt), submission);
  }

  get(clientId: string, attempt: number): CredentialsSubmittedInput | undefined {
    return this.received.get(this.key(clientId, attempt));
  }
}

/**
 * One client's path: send a collector link, wait for its submission, log into the portal. Wrong
 * credentials send a fresh link (the person is retried, not the request) until the attempts run out.
 * Each client runs on its own, so one client's trouble never holds back another's.
 */
export async function collectAndVerify(state: OnboardingState, submissions: Submissions, client: ClientRequest): Promise<void> {
  const { policy } = state.input;
  const { workflowId, id: onboardingId } = state.view;
  const view = state.client(client.partnerProvidedId);
  const verify = portal(policy);

  for (let attempt = 1; attempt <= policy.credentialMaxAttempts; attempt++) {
    state.update(() => (view.awaitingCredentials = true));
    refreshStatus(state);
    await notify.issueCollectorLink({ workflowId, onboardingId, client, attempt, ttlMs: policy.collectorLinkTtlMs });

    const submitted = await condition(() => submissions.get(client.partnerProvidedId, attempt) !== undefined, policy.collectorLinkTtlMs);
    state.update(() => {
      view.awaitingCredentials = false;
      if (submitted) view.attempts = attempt;
    });
    if (!submitted) return fail(state, client, 'the collector link expired without a submission');
    refreshStatus(state);
    if (state.step('VERIFY_CONNECTIVITY').status !== 'RUNNING') state.markStep('VERIFY_CONNECTIVITY', 'RUNNING');

    const { collectorLinkId } = submissions.get(client.partnerProvidedId, attempt)!;
    if (patched('connectivity-check-loop')) {
      const outcome = await checkUntilAnswered(state, view, { onboardingId, collectorLinkId, portalUrl: client.portalUrl }, policy);
      if (outcome === 'CONNECTED') return state.update(() => (view.connectivity = 'CONNECTED'));
      // lastError keeps the class of the last check's trouble.
      if (outcome === 'DEADLINE') return state.update(() => (view.connectivity = 'FAILED'));
      continue;
    }
    try {
      const result = await verify.verifyPortalLogin({ onboardingId, collectorLinkId, portalUrl: client.portalUrl });
      state.update(() => {
        view.lastCheckedAt = new Date().toISOString();
        view.lastError = result.outcome === 'CONNECTED' ? null : 'WRONG_CREDENTIALS';
        if (result.outcome === 'CONNECTED') view.connectivity = 'CONNECTED';
      });
      if (result.outcome === 'CONNECTED') return;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      state.update(() => (view.lastCheckedAt = new Date().toISOString()));
      return fail(state, client, `the portal could not be reached before the deadline: ${err.cause?.message ?? err.message}`);
    }
  }
  fail(state, client, `wrong credentials ${policy.credentialMaxAttempts} times`);
}

function fail(state: OnboardingState, client: ClientRequest, why: string): void {
  const view = state.client(client.partnerProvidedId);
  state.update(() => {
    view.connectivity = 'FAILED';
    view.lastError = why;
  });
}

/**
 * AWAITING_CREDENTIALS while any client owes a submission, else VERIFYING_CONNECTIVITY. Collection is
 * done once nobody owes one, and runs again when wrong credentials send a client a fresh link.
 */
export function refreshStatus(state: OnboardingState): void {
  const waiting = state.view.clients.filter((c) => c.awaitingCredentials).map((c) => c.partnerProvidedId);
  const collect = state.step('COLLECT_CLIENT_CREDENTIALS').status;
  if (waiting.length === 0 && collect === 'RUNNING') state.markStep('COLLECT_CLIENT_CREDENTIALS', 'DONE', 'every client submitted credentials');
  if (waiting.length > 0 && collect === 'DONE') state.markStep('COLLECT_CLIENT_CREDENTIALS', 'RUNNING', `waiting again for ${waiting.join(', ')}`);
  const next = waiting.length > 0 ? 'AWAITING_CREDENTIALS' : 'VERIFYING_CONNECTIVITY';
  if (state.status !== next) state.setStatus(next);
}
