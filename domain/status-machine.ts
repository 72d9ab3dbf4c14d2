import {
  FINAL_STATUSES,
  type OnboardingStatus,
  type PortalClientView,
  type StepStatus,
  type StepView,
} from './onboarding';

/**
 * How an onboarding moves. An open onboarding may move to any status (the process goes back to
 * AWAITING_CREDENTIALS when wrong credentials send a fresh link); a final one never moves again.
 */
export function isFinal(status: OnboardingStatus): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

export function assertTransition(from: OnboardingStatus, to: OnboardingStatus): void {
  if (isFinal(from)) throw new Error(`an onboarding that is ${from} cannot become ${to}`);
}

/** While clients are collected and verified: AWAITING_CREDENTIALS as long as any client owes a submission. */
export function statusWhileCollecting(clients: readonly PortalClientView[]): OnboardingStatus {
  return clients.some((c) => c.awaitingCredentials) ? 'AWAITING_CREDENTIALS' : 'VERIFYING_CONNECTIVITY';
}

/**
 * A step keeps when it first started (a step that runs again, like collection after wrong
 * credentials, keeps its first start) and when it last ended; a detail, once given, stays until replaced.
 */
export function moveStep(
  step: Pick<StepView, 'status' | 'startedAt' | 'finishedAt' | 'detail'>,
  status: StepStatus,
  detail: string | null,
  now: string,
): void {
  if (status === 'RUNNING') {
    step.startedAt ??= now;
    step.finishedAt = null;
  } else if (status !== 'PENDING') {
    step.finishedAt = now;
  }
  step.status = status;
  if (detail !== null) step.detail = detail;
}
