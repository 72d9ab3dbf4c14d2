import type { TenantRequest } from '../workflows/types';
import type { ActivityDeps } from './deps';
import { isUniqueViolation, permanent, FAILURE } from './errors';

export interface CreateTenantInput { workflowId: string; onboardingId: string; tenant: TenantRequest }
export interface ArchiveTenantInput { onboardingId: string; tenantId: string }

export function tenantActivities({ pool, clock }: Pick<ActivityDeps, 'pool' | 'clock'>) {
  return {
    /** One tenant per onboarding: a retry finds the row its first attempt made. */
    async createTenant({ workflowId, onboardingId, tenant }: CreateTenantInput): Promise<{ tenantId: string }> {
      const now = clock();
      const data = { ...tenant, orchestratedAssetMetadata: { orchestrationId: workflowId, orchestrationTimeStamp: now.toISOString() } };
      try {
        const inserted = await pool.query<{ tenant_id: string }>(
          `INSERT INTO tenants (partner_provided_id, name, plan, data, orchestration_id, orchestrated_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (orchestration_id) DO NOTHING RETURNING tenant_id`,
          [tenant.partnerProvidedId, tenant.name, tenant.plan, data, onboardingId, now],
        );
        if (inserted.rows[0]) return { tenantId: inserted.rows[0].tenant_id };
      } catch (err) {
        if (isUniqueViolation(err, 'tenants_live_partner_id')) {
          throw permanent(FAILURE.conflict, `a live tenant already has partnerProvidedId ${tenant.partnerProvidedId}`);
        }
        throw err;
      }
      const existing = await pool.query<{ tenant_id: string }>('SELECT tenant_id FROM tenants WHERE orchestration_id = $1', [onboardingId]);
      return { tenantId: existing.rows[0].tenant_id };
    },

    /** Compensation: archive rather than delete, so what happened stays readable. */
    async archiveTenant({ onboardingId, tenantId }: ArchiveTenantInput): Promise<void> {
      await pool.query('UPDATE tenants SET archived_at = COALESCE(archived_at, $3) WHERE tenant_id = $1 AND orchestration_id = $2', [
        tenantId,
        onboardingId,
        clock(),
      ]);
    },
  };
}
