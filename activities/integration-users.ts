import { isUniqueViolation } from '../db/errors';
import { disableOrchestratedUser, findOrchestratedUsername, insertIntegrationUser } from '../db/integration-users';
import { findUserByEmail } from '../db/users';
import { deriveUsername, integrationSystemProblem, personalEmailProblem, type IntegrationUserRequest } from '../domain';
import type { ActivityDeps } from './deps';
import { FAILURE, permanent } from './errors';

export interface CreateIntegrationUserInput {
  onboardingId: string;
  tenantId: string;
  partnerProvidedId: string;
  integrationUser: IntegrationUserRequest;
}

export function integrationUserActivities({ pool, clock, config }: Pick<ActivityDeps, 'pool' | 'clock' | 'config'>) {
  return {
    /**
     * The username derives from the tenant, so a retry derives the same one; when another tenant
     * holds it, the next free suffix is taken in a fixed order, so retries still agree.
     */
    async createIntegrationUser({
      onboardingId,
      tenantId,
      partnerProvidedId,
      integrationUser,
    }: CreateIntegrationUserInput): Promise<{ username: string }> {
      const existing = await findOrchestratedUsername(pool, onboardingId);
      if (existing) return { username: existing };
      const isStaffAccount = (await findUserByEmail(pool, integrationUser.email)) !== undefined;
      const problem =
        personalEmailProblem(integrationUser.email, config.staffEmailDomains, isStaffAccount) ??
        integrationSystemProblem(integrationUser);
      if (problem) throw permanent(FAILURE.invalidInput, problem);
      for (let suffix = 0; ; suffix++) {
        const username = deriveUsername(config.usernamePrefix, partnerProvidedId, suffix);
        try {
          const inserted = await insertIntegrationUser(pool, {
            tenantId,
            username,
            email: integrationUser.email,
            integrationSystem: integrationUser.integrationSystemName ?? integrationUser.integrationSystem,
            scope: integrationUser.scope,
            invoiceDataAccess: integrationUser.invoiceDataAccess,
            orchestrationId: onboardingId,
          });
          if (inserted) return { username };
          // A concurrent attempt of this onboarding inserted first: its username is the answer.
          return { username: (await findOrchestratedUsername(pool, onboardingId))! };
        } catch (err) {
          if (!isUniqueViolation(err, 'integration_users_username_key')) throw err;
        }
      }
    },

    async disableIntegrationUser({ onboardingId }: { onboardingId: string }): Promise<void> {
      await disableOrchestratedUser(pool, onboardingId, clock());
    },
  };
}
