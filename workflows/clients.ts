import { condition, patched, type CancellationScope } from '@temporalio/workflow';
import {
  statusWhileCollecting,
  type OnboardingPolicy,
  type PortalClientRequest,
  type PortalClientView,
} from '../domain';
import { notify } from './activity-options';
import { checkUntilAnswered } from './connectivity-checks';
import type { CredentialsSubmittedInput } from './messages';
import { PATCHES } from './patches';
import type { Carrier } from './carry';
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
  /** A collector link of this attempt is being issued (done false), or was (done true). */
  linkIssued?(attempt: number, done: boolean): void;
  /** Whom to tell when the client has waited too long (the onboarding's starter); none for a reconnect. */
  staffEmail?: string;
  /** Schedules an activity that takes the onboarding's pending read-model write along (a reconnect's carries none). */
  carry: Carrier;
  /** Records a reminder or notice in the onboarding's audit trail (a reconnect has none of its own). */
  audit?(action: 'REMINDED' | 'CLIENT_STUCK_NOTICE', reason: string, detail: Record<string, unknown>): void;
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
  return runClientPath(onboardingHost(state, client), submissions, client, 1);
}

/** The onboarding's side of a client's path: its status and steps follow the path. */
export function onboardingHost(state: OnboardingState, client: PortalClientRequest): ClientPathHost {
  return {
    workflowId: state.view.workflowId,
    onboardingId: state.view.id,
    policy: state.input.policy,
    view: state.client(client.partnerProvidedId),
    update: (mutate) => state.change(mutate),
    refresh: () => refreshStatus(state),
    verifying: () => {
      if (state.step('VERIFY_CONNECTIVITY').status !== 'RUNNING') state.markStep('VERIFY_CONNECTIVITY', 'RUNNING');
    },
    linkIssued: (attempt, done) => {
      state.lastLink.set(client.partnerProvidedId, attempt);
      if (done) state.issuing.delete(client.partnerProvidedId);
      else state.issuing.add(client.partnerProvidedId);
    },
    staffEmail: state.input.startedBy.email,
    carry: (schedule) => state.carry(schedule),
    audit: (action, reason, detail) => state.audit({ actor: 'gangway', action, subscription: null, reason, detail }),
  };
}

/**
 * Client paths started after the first ones (a staff retry, workflows/client-actions.ts). The
 * onboarding joins them before it ends, so none is abandoned; once it has, no retry starts here.
 */
export class RetriedPaths {
  private running = 0;
  /** Whether any retry ran: only then is the verification summarised again at the end. */
  retried = false;
  closing = false;

  constructor(private readonly scope: CancellationScope) {}

  /** Runs the path in the onboarding's main scope, so a cancellation stops it with the rest. */
  start(path: () => Promise<void>): void {
    this.running += 1;
    this.retried = true;
    const done = this.scope.run(path).finally(() => (this.running -= 1));
    // The main flow joins through the counter; a failure here ends with the scope's cancellation.
    done.catch(() => undefined);
  }

  /** Waits for every retried path; no wait (and so no change to recorded histories) when none runs. */
  async join(): Promise<void> {
    if (this.running > 0) await condition(() => this.running === 0);
  }
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
    host.linkIssued?.(attempt, false);
    await host.carry((progress) =>
      notify.issueCollectorLink({
        workflowId,
        onboardingId,
        client,
        attempt,
        ttlMs: policy.collectorLinkTtlMs,
        progress,
      }),
    );
    host.linkIssued?.(attempt, true);

    const submitted = patched(PATCHES.collectorReminders)
      ? await awaitSubmission(host, submissions, client, attempt)
      : await condition(
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

/**
 * Waits for the attempt's submission until its link expires, meanwhile reminding the contact every
 * collectorReminderIntervalMs (a fresh link: the person acts on the newest mail) and telling the
 * onboarding's starter once after clientStuckNoticeAfterMs. Each mail is keyed by attempt and number.
 */
async function awaitSubmission(
  host: ClientPathHost,
  submissions: Submissions,
  client: PortalClientRequest,
  attempt: number,
): Promise<boolean> {
  const { policy, workflowId, onboardingId } = host;
  const arrived = () => submissions.get(client.partnerProvidedId, attempt) !== undefined;
  const since = Date.now();
  const expiresAt = since + policy.collectorLinkTtlMs;
  const every = policy.collectorReminderIntervalMs ?? 0;
  const stuckAt =
    host.staffEmail && policy.clientStuckNoticeAfterMs ? since + policy.clientStuckNoticeAfterMs : Infinity;
  let reminders = 0;
  let stuckTold = false;
  for (;;) {
    const reminderAt =
      every > 0 && since + (reminders + 1) * every < expiresAt ? since + (reminders + 1) * every : Infinity;
    const wakeAt = Math.min(expiresAt, reminderAt, stuckTold ? Infinity : stuckAt);
    if (await condition(arrived, Math.max(1, wakeAt - Date.now()))) return true;
    const now = Date.now();
    if (now >= expiresAt) return false;
    if (!stuckTold && now >= stuckAt) {
      stuckTold = true;
      host.audit?.('CLIENT_STUCK_NOTICE', `client ${client.partnerProvidedId} awaits credentials`, {
        client: client.partnerProvidedId,
        attempt,
        to: host.staffEmail,
      });
      await notify.notifyClientStuck({
        onboardingId,
        to: host.staffEmail!,
        client,
        attempt,
        waitingSince: new Date(since).toISOString(),
      });
    }
    if (now >= reminderAt) {
      reminders += 1;
      host.audit?.('REMINDED', `collector reminder ${reminders}`, {
        client: client.partnerProvidedId,
        attempt,
        to: client.contactEmail,
      });
      await notify.reissueCollectorLink({
        workflowId,
        onboardingId,
        client,
        attempt,
        occasion: `reminder:${reminders}`,
      });
    }
  }
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
