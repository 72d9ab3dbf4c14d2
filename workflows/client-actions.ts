import { ApplicationFailure, condition, currentUpdateInfo, setHandler } from '@temporalio/workflow';
import {
  ACTION_REFUSED,
  isFinal,
  validateAmendment,
  validateResend,
  validateRetry,
  type ActionContext,
  type PortalClientRequest,
  type PortalClientView,
} from '../domain';
import { db, notify } from './activity-options';
import { refusedAsFailure } from './approval-decisions';
import { onboardingHost, runClientPath, type ClientPathHost, type RetriedPaths, type Submissions } from './clients';
import type { MessageGate } from './message-gate';
import { amendOnboardingUpdate, resendLinkUpdate, retryClientUpdate } from './messages';
import type { Projector } from './projector';
import type { OnboardingState } from './state';

/**
 * Staff actions on a running onboarding, each an Update: its validator (domain/onboarding-actions.ts)
 * refuses what may not happen before anything reaches the history, and its handler does the work as
 * durable steps of this workflow, audited in the onboarding's trail. Mails are keyed by the Update's
 * id, so a retried request (same Idempotency-Key) sends nothing twice.
 */
export interface ActionHost {
  state: OnboardingState;
  submissions: Submissions;
  projector: Projector;
  gate: MessageGate;
  retried: RetriedPaths;
  isFinished(): boolean;
}

const context = (host: ActionHost): ActionContext => ({
  view: host.state.view,
  request: host.state.request,
  closing: host.retried.closing || host.isFinished() || isFinal(host.state.status),
});

const updateId = () => currentUpdateInfo()?.id ?? 'unknown';

const clientRequest = (state: OnboardingState, id: string): PortalClientRequest =>
  state.request.clients.find((c) => c.partnerProvidedId === id)!;

/**
 * Replaces the token of the client's waiting link and mails it to the client's current contact: the
 * earlier link answers 410. Waits first for a link still being issued, so the fresh one is the newest.
 */
async function reissueWaitingLink(state: OnboardingState, client: PortalClientRequest, occasion: string) {
  await condition(() => !state.issuing.has(client.partnerProvidedId));
  const attempt = state.lastLink.get(client.partnerProvidedId);
  if (attempt === undefined) return { reissued: false };
  return notify.reissueCollectorLink({
    workflowId: state.view.workflowId,
    onboardingId: state.view.id,
    client,
    attempt,
    occasion,
  });
}

/** COLLECTOR: a fresh collector link; APPROVAL_REQUEST: the approval request again to whoever decides. */
export function registerResends(host: ActionHost): void {
  const { state, projector, gate } = host;
  setHandler(
    resendLinkUpdate,
    async (input) => {
      const occasion = `resend:${updateId()}`;
      let resent = true;
      if (input.kind === 'COLLECTOR') {
        ({ reissued: resent } = await reissueWaitingLink(state, clientRequest(state, input.client!), occasion));
      } else {
        for (const approval of state.pendingApprovals()) {
          for (const to of [approval.approverEmail, approval.delegateEmail].filter((e): e is string => !!e)) {
            await notify.notifyApprovalTask({
              onboardingId: state.view.id,
              key: `${approval.subscription}:${occasion}:${to}`,
              kind: 'ASSIGNED',
              to,
              subscription: approval.subscription,
              approverEmail: approval.approverEmail,
              stage: approval.stage ?? 'AM',
              tenantName: state.request.tenant.name,
              startedBy: state.input.startedBy.email,
              waitingSince: approval.assignedAt ?? state.view.createdAt,
            });
          }
        }
      }
      state.audit({
        actor: input.requestedBy,
        action: 'RESENT',
        subscription: null,
        reason: `${input.kind} resent`,
        detail: { kind: input.kind, client: input.client ?? null, resent },
      });
      await projector.settled();
      return { kind: input.kind, resent };
    },
    {
      validator: (input) => {
        gate.requireUpdate(resendLinkUpdate.name, input);
        refusedAsFailure(() => validateResend(context(host), input));
      },
    },
  );
}

/**
 * A FAILED client goes through its path again, with links numbered after its last. The path runs
 * beside the onboarding, which joins it before it ends (workflows/onboarding.ts): a retry during the
 * kit's delivery keeps the onboarding open until the client has its outcome.
 */
export function registerRetries(host: ActionHost): void {
  const { state, submissions, projector, gate, retried } = host;
  setHandler(
    retryClientUpdate,
    async (input) => {
      const client = clientRequest(state, input.partnerProvidedId);
      const view = state.client(input.partnerProvidedId);
      const firstAttempt = (state.lastLink.get(client.partnerProvidedId) ?? view.attempts) + 1;
      state.change(() => {
        view.connectivity = 'PENDING';
        view.lastError = null;
      });
      state.audit({
        actor: input.requestedBy,
        action: 'CLIENT_RETRIED',
        subscription: null,
        reason: `client ${client.partnerProvidedId} retried`,
        detail: { client: client.partnerProvidedId, firstAttempt },
      });
      retried.start(() => runClientPath(onboardingHost(state, client), submissions, client, firstAttempt));
      await projector.settled();
      return state.view;
    },
    {
      validator: (input) => {
        gate.requireUpdate(retryClientUpdate.name, input);
        refusedAsFailure(() => validateRetry(context(host), input));
      },
    },
  );
}

/**
 * Changes the amended request that later steps read (state.request). A client whose link is waiting
 * gets it again at its new contact (or with its new name and portal), and the old link stops working.
 */
export function registerAmendments(host: ActionHost): void {
  const { state, projector, gate } = host;
  setHandler(
    amendOnboardingUpdate,
    async (input) => {
      const occasion = `amend:${updateId()}`;
      if (input.notify?.email !== undefined) state.request.notify.email = input.notify.email;
      if (input.notify?.webhookUrl !== undefined) state.request.notify.webhookUrl = input.notify.webhookUrl;
      const relinked: string[] = [];
      for (const change of input.clients ?? []) {
        const client = clientRequest(state, change.partnerProvidedId);
        if (change.name !== undefined) client.name = change.name;
        if (change.contactEmail !== undefined) client.contactEmail = change.contactEmail;
        if (change.portalUrl !== undefined) client.portalUrl = change.portalUrl;
        if (state.client(client.partnerProvidedId).awaitingCredentials) {
          const { reissued } = await reissueWaitingLink(state, client, occasion);
          if (reissued) relinked.push(client.partnerProvidedId);
        }
      }
      state.audit({
        actor: input.requestedBy,
        action: 'AMENDED',
        subscription: null,
        reason: 'onboarding amended',
        detail: { notify: input.notify ?? null, clients: input.clients ?? [], relinked },
      });
      // The view itself holds none of these values; a new version makes the projection write the notify columns.
      state.change(() => undefined);
      await projector.settled();
      return state.view;
    },
    {
      validator: (input) => {
        gate.requireUpdate(amendOnboardingUpdate.name, input);
        refusedAsFailure(() => validateAmendment(context(host), input));
      },
    },
  );
}

/**
 * A reconnect (after the onboarding finished) resends its waiting collector link the same way: the
 * host learns which attempt's link is out, and the Update replaces its token and audits the resend.
 */
export function registerReconnectResend(
  host: ClientPathHost,
  client: PortalClientRequest,
  view: PortalClientView,
  gate: MessageGate,
): void {
  let lastLink: number | undefined;
  let issuing = false;
  host.linkIssued = (attempt, done) => {
    lastLink = attempt;
    issuing = !done;
  };
  setHandler(
    resendLinkUpdate,
    async (input) => {
      const occasion = `resend:${updateId()}`;
      await condition(() => !issuing);
      const { reissued } = await notify.reissueCollectorLink({
        workflowId: host.workflowId,
        onboardingId: host.onboardingId,
        client,
        attempt: lastLink!,
        occasion,
      });
      await db.recordActionAudit({
        onboardingId: host.onboardingId,
        key: `${host.workflowId}:${occasion}`,
        actor: input.requestedBy,
        action: 'RESENT',
        reason: 'COLLECTOR resent',
        detail: { kind: 'COLLECTOR', client: client.partnerProvidedId, resent: reissued },
      });
      return { kind: input.kind, resent: reissued };
    },
    {
      validator: (input) => {
        gate.requireUpdate(resendLinkUpdate.name, input);
        if (input.kind !== 'COLLECTOR' || input.client !== client.partnerProvidedId || !view.awaitingCredentials)
          throw ApplicationFailure.create({
            type: ACTION_REFUSED.nothingToResend,
            message: `client ${client.partnerProvidedId} has no collector link waiting for a submission`,
            nonRetryable: true,
          });
      },
    },
  );
}
