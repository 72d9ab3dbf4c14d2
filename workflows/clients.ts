import { condition } from '@temporalio/workflow';
import {
  statusWhileCollecting,
  type OnboardingPolicy,
  type PortalClientRequest,
  type PortalClientView,
} from '../domain';
import { notify } from './activity-options';
import { checkUntilAnswered } from './connectivity-checks';
import type { CredentialsSubmittedInput } from './messages';
import type { OnboardingState } from './state';

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
 * What one client's path needs of the workflow it runs in: the onboarding's own (which keeps its
 * status and steps in step with the path) or a reconnect's (workflows/reconnect.ts), which has none.
 */
export interface ClientPathHost {
  workflowId: string;
  onboardingId: string;
  policy: OnboardingPolicy;
  /** The client's entry in the host's view. */
  view: PortalClientView;
  update(mutate: () => void): void;
  /** The client started or stopped owing a submission. */
  refresh(): void;
  /** A submission is about to be checked. */
  verifying(): void;
}

/**
 * One client's path: send a collector link, wait for its submission, log into the portal. Wrong
 * credentials send a fresh link (the person is retried, not the request) until the attempts run out.
 * Each client runs on its own, so one client's trouble never holds back another's.
 */
export async function collectAndVerify(
  state: OnboardingState,
  submissions: Submissions,
  client: PortalClientRequest,
): Promise<void> {
  const host: ClientPathHost = {
    workflowId: state.view.workflowId,
    onboardingId: state.view.id,
    policy: state.input.policy,
    view: state.client(client.partnerProvidedId),
    update: (mutate) => state.change(mutate),
    refresh: () => refreshStatus(state),
    verifying: () => {
      if (state.step('VERIFY_CONNECTIVITY').status !== 'RUNNING') state.markStep('VERIFY_CONNECTIVITY', 'RUNNING');
    },
  };
  return runClientPath(host, submissions, client, 1);
}

/**
 * The path itself, for attempts firstAttempt .. firstAttempt + CREDENTIAL_MAX_ATTEMPTS - 1 (attempt
 * numbers key the collector links, so a reconnect continues after the onboarding's). Leaves the
 * outcome in host.view: CONNECTED, or FAILED with lastError saying why.
 */
export async function runClientPath(
  host: ClientPathHost,
  submissions: Submissions,
  client: PortalClientRequest,
  firstAttempt: number,
): Promise<void> {
  const { policy, workflowId, onboardingId, view } = host;
  const lastAttempt = firstAttempt + policy.credentialMaxAttempts - 1;

  for (let attempt = firstAttempt; attempt <= lastAttempt; attempt++) {
    host.update(() => (view.awaitingCredentials = true));
    host.refresh();
    await notify.issueCollectorLink({ workflowId, onboardingId, client, attempt, ttlMs: policy.collectorLinkTtlMs });

    const submitted = await condition(
      () => submissions.get(client.partnerProvidedId, attempt) !== undefined,
      policy.collectorLinkTtlMs,
    );
    host.update(() => {
      view.awaitingCredentials = false;
      if (submitted) view.attempts = attempt;
    });
    if (!submitted) return fail(host, 'the collector link expired without a submission');
    host.refresh();
    host.verifying();

    const { collectorLinkId } = submissions.get(client.partnerProvidedId, attempt)!;
    const outcome = await checkUntilAnswered(
      host,
      view,
      { onboardingId, collectorLinkId, portalUrl: client.portalUrl },
      policy,
    );
    if (outcome === 'CONNECTED') return host.update(() => (view.connectivity = 'CONNECTED'));
    // lastError keeps the class of the last check's trouble (EGRESS_REFUSED: gangway may not call it).
    if (outcome === 'DEADLINE' || outcome === 'REFUSED') return host.update(() => (view.connectivity = 'FAILED'));
  }
  fail(host, `wrong credentials ${policy.credentialMaxAttempts} times`);
}

function fail(host: ClientPathHost, why: string): void {
  host.update(() => {
    host.view.connectivity = 'FAILED';
    host.view.lastError = why;
  });
}

/**
 * AWAITING_CREDENTIALS while any client owes a submission, else VERIFYING_CONNECTIVITY. Collection is
 * done once nobody owes one, and runs again when wrong credentials send a client a fresh link.
 */
export function refreshStatus(state: OnboardingState): void {
  const waiting = state.view.clients.filter((c) => c.awaitingCredentials).map((c) => c.partnerProvidedId);
  const collect = state.step('COLLECT_CLIENT_CREDENTIALS').status;
  if (waiting.length === 0 && collect === 'RUNNING')
    state.markStep('COLLECT_CLIENT_CREDENTIALS', 'DONE', 'every client submitted credentials');
  if (waiting.length > 0 && collect === 'DONE')
    state.markStep('COLLECT_CLIENT_CREDENTIALS', 'RUNNING', `waiting again for ${waiting.join(', ')}`);
  const next = statusWhileCollecting(state.view.clients);
  if (state.status !== next) state.setStatus(next);
}
