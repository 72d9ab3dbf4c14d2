import type { OnboardingInput, OnboardingView, StepName, StepView } from './onboarding';

/**
 * What Temporal's list and workflow page show of an onboarding (docs/contract.md): the search
 * attributes, the summary fixed at start and the details that follow the process. Business words
 * only: no e-mail address, no name of a person, nothing secret.
 */
export const SEARCH_ATTRIBUTE_NAMES = ['OnboardingStatus', 'PartnerProvidedId', 'CurrentStep'] as const;

export interface OnboardingSearchAttributes {
  OnboardingStatus: string;
  PartnerProvidedId: string;
  CurrentStep: StepName;
}

/**
 * The step the onboarding is at: the first one running, else the first that has not run yet, else
 * the last one that ran (a finished onboarding stays at the step it ended on).
 */
export function currentStepOf(view: OnboardingView): StepName {
  const ran = (s: StepView) => s.status !== 'PENDING' && s.status !== 'SKIPPED';
  const step =
    view.steps.find((s) => s.status === 'RUNNING') ??
    (view.status === 'COMPLETED' ||
    view.status === 'REJECTED' ||
    view.status === 'CANCELLED' ||
    view.status === 'FAILED'
      ? view.steps.filter(ran).pop()
      : view.steps.find((s) => s.status === 'PENDING'));
  return (step ?? view.steps[0]).name;
}

export function searchAttributesOf(view: OnboardingView): OnboardingSearchAttributes {
  return {
    OnboardingStatus: view.status,
    PartnerProvidedId: view.tenant.partnerProvidedId,
    CurrentStep: currentStepOf(view),
  };
}

/** The one line the Temporal UI shows for the run, fixed at start. */
export function onboardingSummary(input: Pick<OnboardingInput, 'request'>): string {
  const { tenant, subscriptions, clients } = input.request;
  return `Onboarding ${tenant.name} (${tenant.partnerProvidedId}): ${subscriptions.join(', ')}; ${clients.length} client(s)`;
}

/** The details fixed at start (markdown): what was asked for, with no address or person in it. */
export function onboardingStaticDetails(input: Pick<OnboardingInput, 'request'>): string {
  const { tenant, integrationUser, subscriptions, clients } = input.request;
  return [
    `**Tenant** ${tenant.name} (${tenant.partnerProvidedId}), plan ${tenant.plan}`,
    `**Subscriptions** ${subscriptions.join(', ')}`,
    `**Integration** ${integrationUser.integrationSystem}, scope ${integrationUser.scope}`,
    `**Clients** ${clients.length ? clients.map((c) => c.partnerProvidedId).join(', ') : 'none'}`,
  ].join('\n\n');
}

const MARK: Record<StepView['status'], string> = {
  PENDING: '·',
  RUNNING: '▶',
  DONE: '✓',
  FAILED: '✗',
  SKIPPED: '–',
  COMPENSATED: '↺',
};

/**
 * The current details (markdown) the UI shows on the workflow page: where the process is, step by
 * step. Statuses and codes only: reasons and step details are free text (a cancelling person's
 * address, an error message), which stays in the view behind the API's authorisation.
 */
export function onboardingDetails(view: OnboardingView): string {
  const pending = view.approvals.filter((a) => a.status === 'PENDING').map((a) => a.subscription);
  const waiting = view.clients.filter((c) => c.awaitingCredentials).length;
  const lines = [
    `**${view.status}** at ${currentStepOf(view)}`,
    '',
    ...view.steps.map((s) => `- ${MARK[s.status]} ${s.name} ${s.status}`),
  ];
  if (pending.length) lines.push('', `Awaiting approval: ${pending.join(', ')}`);
  if (waiting) lines.push('', `Awaiting credentials from ${waiting} client(s)`);
  return lines.join('\n');
}
