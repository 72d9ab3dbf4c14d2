import { STEP_NAMES, type StepName } from './onboarding';

const CLIENT_STEPS: readonly StepName[] = ['COLLECT_CLIENT_CREDENTIALS', 'VERIFY_CONNECTIVITY'];

/** The steps an onboarding of this body would run; read loosely, so a dry run of an invalid body has a plan too. */
export function plannedSteps(body: unknown): { name: StepName; willRun: boolean }[] {
  const clients = (body as { clients?: unknown } | undefined)?.clients;
  const noClients = !Array.isArray(clients) || clients.length === 0;
  return STEP_NAMES.map((name) => ({ name, willRun: !(CLIENT_STEPS.includes(name) && noClients) }));
}
