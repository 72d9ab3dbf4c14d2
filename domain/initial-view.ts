import { STEP_NAMES, type OnboardingInput, type OnboardingView } from './onboarding';

/** The view of an onboarding that has just started: the API stores it at once, the workflow starts from it. */
export function initialView(input: OnboardingInput, workflowId: string, now: string): OnboardingView {
  const { request, expansion } = input;
  return {
    id: input.onboardingId,
    workflowId,
    status: 'RUNNING',
    tenant: {
      tenantId: expansion?.tenantId ?? null,
      partnerProvidedId: request.tenant.partnerProvidedId,
      name: request.tenant.name,
    },
    ...(expansion ? { expansion: true } : {}),
    integrationUser: { username: expansion?.username ?? null },
    clientId: expansion?.clientId ?? null,
    steps: STEP_NAMES.map((name) => ({ name, status: 'PENDING', startedAt: null, finishedAt: null, detail: null })),
    approvals: request.subscriptions.map((subscription) => {
      const stages = input.approval.stages[subscription] ?? ['AM'];
      return {
        subscription,
        status: 'PENDING',
        approverEmail: input.approverEmail,
        decidedBy: null,
        decidedAt: null,
        comment: null,
        stage: stages[0],
        stages,
        delegateEmail: null,
        assignedAt: now,
        escalatedTo: [],
        remindersSent: 0,
        decisions: [],
      };
    }),
    subscriptions: request.subscriptions.map((code) => ({ code, status: 'REQUESTED' })),
    clients: request.clients.map((c) => ({
      partnerProvidedId: c.partnerProvidedId,
      connectivity: 'PENDING',
      attempts: 0,
      checks: 0,
      lastCheckedAt: null,
      lastError: null,
      awaitingCredentials: false,
    })),
    startedBy: input.startedBy.email,
    reason: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}
