import type { OnboardingState } from './state';
import { db } from './activity-options';
import type { Compensations } from './compensations';
import { compensate, step } from './steps';

/** A first onboarding creates the customer: tenant, integration user and API client, each with its undo. */
export async function provisionCustomer(
  state: OnboardingState,
  undo: Compensations,
): Promise<{ tenantId: string; username: string }> {
  const { request } = state.input;
  const { workflowId, id: onboardingId } = state.view;

  const { tenantId } = await step(state, 'CREATE_TENANT', (progress) =>
    db.createTenant({
      workflowId,
      onboardingId,
      tenant: request.tenant,
      subscriptions: request.subscriptions,
      progress,
    }),
  );
  state.change((v) => (v.tenant.tenantId = tenantId));
  undo.push('CREATE_TENANT', () =>
    compensate(state, 'CREATE_TENANT', () => db.archiveTenant({ onboardingId, tenantId })),
  );

  const { username } = await step(state, 'CREATE_INTEGRATION_USER', (progress) =>
    db.createIntegrationUser({
      progress,
      onboardingId,
      tenantId,
      partnerProvidedId: request.tenant.partnerProvidedId,
      integrationUser: request.integrationUser,
    }),
  );
  state.change((v) => (v.integrationUser.username = username));
  undo.push('CREATE_INTEGRATION_USER', () =>
    compensate(state, 'CREATE_INTEGRATION_USER', () => db.disableIntegrationUser({ onboardingId })),
  );

  const { clientId } = await step(state, 'ISSUE_CLIENT_CREDENTIALS', (progress) =>
    db.issueClientCredentials({
      progress,
      onboardingId,
      tenantId,
      administrators: request.clientAdministrators ?? [state.input.startedBy.email],
    }),
  );
  state.change((v) => (v.clientId = clientId));
  undo.push('ISSUE_CLIENT_CREDENTIALS', () =>
    compensate(state, 'ISSUE_CLIENT_CREDENTIALS', () => db.revokeClientCredentials({ onboardingId })),
  );
  return { tenantId, username };
}

/**
 * An expansion reuses the live customer's tenant, user and API client, resolved by the API. No undo is
 * pushed for them: whatever happens to the expansion, the customer keeps the access it already had.
 */
export function reuseLiveCustomer(state: OnboardingState): { tenantId: string; username: string } {
  const { tenantId, username, clientId } = state.input.expansion!;
  state.markStep('CREATE_TENANT', 'SKIPPED', `live tenant ${tenantId} reused`);
  state.markStep('CREATE_INTEGRATION_USER', 'SKIPPED', `integration user ${username} reused`);
  state.markStep('ISSUE_CLIENT_CREDENTIALS', 'SKIPPED', `API client ${clientId} reused; no new secret`);
  return { tenantId, username };
}
