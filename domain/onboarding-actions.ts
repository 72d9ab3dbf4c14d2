import type { OnboardingRequest, OnboardingView, PortalClientRequest, StepName } from './onboarding';
import { RuleRefusal } from './refusal';

/**
 * Staff actions on an onboarding after it started: resending a link, retrying a client that failed,
 * amending what has not happened yet. The rules say what may still change; the workflow's Update
 * validators run them, so a refusal never reaches the history (the API maps the types to 404/409).
 */

export const RESEND_KINDS = ['COLLECTOR', 'KIT', 'SET_PASSWORD', 'APPROVAL_REQUEST'] as const;
export type ResendKind = (typeof RESEND_KINDS)[number];

export const ACTION_REFUSED = {
  unknownClient: 'UNKNOWN_CLIENT',
  nothingToResend: 'NOTHING_TO_RESEND',
  notFailed: 'CLIENT_NOT_FAILED',
  cannotChange: 'CANNOT_CHANGE',
  finishing: 'ONBOARDING_FINISHING',
} as const;

export interface ResendInput {
  kind: ResendKind;
  client?: string;
  requestedBy: string;
}
export interface RetryClientInput {
  partnerProvidedId: string;
  requestedBy: string;
}
export interface ClientAmendment {
  partnerProvidedId: string;
  name?: string;
  contactEmail?: string;
  portalUrl?: string;
}
export interface AmendOnboardingInput {
  notify?: { email?: string; webhookUrl?: string };
  clients?: ClientAmendment[];
  requestedBy: string;
}

/** What the rules need of a running onboarding besides its view. */
export interface ActionContext {
  view: OnboardingView;
  request: OnboardingRequest;
  /** Past the point where the workflow joins client paths: nothing may start any more. */
  closing: boolean;
}

const stepStatus = (view: OnboardingView, name: StepName) => view.steps.find((s) => s.name === name)?.status;

function clientOf(ctx: ActionContext, partnerProvidedId: string | undefined): PortalClientRequest {
  const client = ctx.request.clients.find((c) => c.partnerProvidedId === partnerProvidedId);
  if (!client) throw new RuleRefusal(ACTION_REFUSED.unknownClient, `no client ${partnerProvidedId} in this onboarding`);
  return client;
}

const clientView = (view: OnboardingView, id: string) => view.clients.find((c) => c.partnerProvidedId === id)!;

/** A running onboarding resends collector links and approval requests; the kit and its password link come at the end. */
export function validateResend(ctx: ActionContext, input: ResendInput): void {
  const nothing = (why: string) => new RuleRefusal(ACTION_REFUSED.nothingToResend, why);
  switch (input.kind) {
    case 'COLLECTOR': {
      const client = clientOf(ctx, input.client);
      if (!clientView(ctx.view, client.partnerProvidedId).awaitingCredentials)
        throw nothing(`client ${client.partnerProvidedId} has no collector link waiting for a submission`);
      return;
    }
    case 'APPROVAL_REQUEST':
      if (ctx.view.status !== 'AWAITING_APPROVAL' || !ctx.view.approvals.some((a) => a.status === 'PENDING'))
        throw nothing('no approval is pending');
      return;
    case 'KIT':
    case 'SET_PASSWORD':
      throw nothing('the kit and its password link can be resent once the onboarding has finished');
  }
}

export function validateRetry(ctx: ActionContext, input: RetryClientInput): void {
  clientOf(ctx, input.partnerProvidedId);
  const client = clientView(ctx.view, input.partnerProvidedId);
  if (client.connectivity !== 'FAILED')
    throw new RuleRefusal(ACTION_REFUSED.notFailed, `client ${input.partnerProvidedId} is ${client.connectivity}`);
  if (ctx.closing) throw new RuleRefusal(ACTION_REFUSED.finishing, 'the onboarding is finishing; retry once it has');
}

/**
 * A client may be amended until its credentials were submitted: after that its portal and contact
 * have been used. The notification address may change until the kit is mailed to it.
 */
export function validateAmendment(ctx: ActionContext, input: AmendOnboardingInput): void {
  const cannot = (why: string) => new RuleRefusal(ACTION_REFUSED.cannotChange, why);
  if (ctx.closing) throw cannot('the onboarding is finishing');
  if (input.notify?.email !== undefined && stepStatus(ctx.view, 'DELIVER_KIT') !== 'PENDING')
    throw cannot('the kit is already on its way to the notification address');
  for (const change of input.clients ?? []) {
    clientOf(ctx, change.partnerProvidedId);
    const client = clientView(ctx.view, change.partnerProvidedId);
    // A client that never submitted (say its link expired at a wrong address) may still be corrected.
    if (client.attempts > 0) throw cannot(`client ${change.partnerProvidedId} already submitted credentials`);
  }
}
