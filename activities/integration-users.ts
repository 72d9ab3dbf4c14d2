import { findUserByEmail } from '../db/users';
import { deriveUsername, integrationSystemProblem, personalEmailProblem, type IntegrationUserRequest } from '../domain';
import type { ActivityDeps } from './deps';
import { FAILURE, isUniqueViolation, permanent } from './errors';

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
    async createIntegrationUser({ onboardingId, tenantId, partnerProvidedId, integrationUser }: CreateIntegrationUserInput): Promise<{ username: string }> {
      const existing = await pool.query<{ username: string }>('SELECT username FROM integration_users WHERE orchestration_id = $1', [onboardingId]);
      if (existing.rows[0]) return { username: existing.rows[0].username };
      const isStaffAccount = (await findUserByEmail(pool, integrationUser.email)) !== undefined;
      const problem = personalEmailProblem(integrationUser.email, config.staffEmailDomains, isStaffAccount) ?? integrationSystemProblem(integrationUser);
      if (problem) throw permanent(FAILURE.invalidInput, problem);
      for (let suffix = 0; ; suffix++) {
        const username = deriveUsername(config.usernamePrefix, partnerProvidedId, suffix);
        try {
          const inserted = await pool.query<{ username: string }>(
            `INSERT INTO integration_users (tenant_id, username, email, integration_system, scope, invoice_data_access, orchestration_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (orchestration_id) DO NOTHING RETURNING username`,
            [
              tenantId,
              username,
              integrationUser.email,
              integrationUser.integrationSystemName ?? integrationUser.integrationSystem,
              integrationUser.scope,
              integrationUser.invoiceDataAccess,
              onboardingId,
            ],
          );
          if (inserted.rows[0]) return { username };
          const raced = await pool.query<{ username: string }>('SELECT username FROM integration_users WHERE orchestration_id = $1', [onboardingId]);
          return { username: raced.rows[0].username };
        } catch (err) {
          if (!isUniqueViolation(err, 'integration_users_username_key')) throw err;
        }
      }
    },

    async disableIntegrationUser({ onboardingId }: { onboardingId: string }): Promise<void> {
      await pool.query('UPDATE integration_users SET disabled_at = COALESCE(disabled_at, $2) WHERE orchestration_id = $1', [onboardingId, clock()]);
    },
  };
}
