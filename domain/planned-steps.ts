import { STEP_NAMES, type StepName } from './onboarding';

const CLIENT_STEPS: readonly StepName[] = ['COLLECT_CLIENT_CREDENTIALS', 'VERIFY_CONNECTIVITY'];
const PROVISIONING_STEPS: readonly StepName[] = [
  'CREATE_TENANT',
  'CREATE_INTEGRATION_USER',
  'ISSUE_CLIENT_CREDENTIALS',
];
const APPROVAL_STEPS: readonly StepName[] = ['REQUEST_APPROVAL', 'ASSIGN_SUBSCRIPTIONS'];

type Loose = Record<string, unknown> | undefined;

/** Whether a start body names a live customer to expand rather than a new one (read loosely, like plannedSteps). */
export function isExpansionBody(body: unknown): boolean {
  const b = body as Loose;
  const tenant = b?.tenant as Loose;
  return tenant?.existing === true || typeof tenant?.tenantId === 'string' || typeof b?.tenantId === 'string';
}

/** The steps an onboarding of this body would run; read loosely, so a dry run of an invalid body has a plan too. */
export function plannedSteps(body: unknown): { name: StepName; willRun: boolean }[] {
  const b = body as Loose;
  const clients = b?.clients;
  const noClients = !Array.isArray(clients) || clients.length === 0;
  const expansion = isExpansionBody(body);
  const noSubscriptions = expansion && (!Array.isArray(b?.subscriptions) || b.subscriptions.length === 0);
  return STEP_NAMES.map((name) => ({
    name,
    willRun: !(
      (CLIENT_STEPS.includes(name) && noClients) ||
      (PROVISIONING_STEPS.includes(name) && expansion) ||
      (APPROVAL_STEPS.includes(name) && noSubscriptions)
    ),
  }));
}
