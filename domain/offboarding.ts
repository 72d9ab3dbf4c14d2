import type { StepStatus } from './onboarding';

/** Taking a live customer off: every access it has ends, and its tenant is archived. */

export const OFFBOARDING_STEP_NAMES = [
  'REFUSE_TOKENS',
  'CANCEL_OPEN_ONBOARDING',
  'STOP_REVERIFICATION',
  'REVOKE_CLIENT_SECRET',
  'DISABLE_INTEGRATION_USER',
  'UNASSIGN_SUBSCRIPTIONS',
  'ERASE_PORTAL_CREDENTIALS',
  'NOTIFY_CUSTOMER',
  'ARCHIVE_TENANT',
] as const;
export type OffboardingStepName = (typeof OFFBOARDING_STEP_NAMES)[number];
export type OffboardingStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

export interface OffboardingInput {
  offboardingId: string;
  tenant: { tenantId: string; partnerProvidedId: string; name: string };
  reason: string;
  requestedBy: string;
}

export interface OffboardingStepView {
  name: OffboardingStepName;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  detail: string | null;
}

export interface OffboardingView {
  id: string;
  workflowId: string;
  status: OffboardingStatus;
  tenant: OffboardingInput['tenant'];
  reason: string;
  requestedBy: string;
  /** Why it failed, when it did. */
  failure: string | null;
  steps: OffboardingStepView[];
  createdAt: string;
  updatedAt: string;
  /** Grows with every change, so an older write never overwrites a newer one. */
  version: number;
}

export interface OffboardingResult {
  status: OffboardingStatus;
}

/** The view of an offboarding that has just been asked for: the API stores it at once, the workflow starts from it. */
export function initialOffboardingView(input: OffboardingInput, workflowId: string, now: string): OffboardingView {
  return {
    id: input.offboardingId,
    workflowId,
    status: 'RUNNING',
    tenant: input.tenant,
    reason: input.reason,
    requestedBy: input.requestedBy,
    failure: null,
    steps: OFFBOARDING_STEP_NAMES.map((name) => ({
      name,
      status: 'PENDING',
      startedAt: null,
      finishedAt: null,
      detail: null,
    })),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}
