import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../db/errors';
import { withTransaction } from '../db/transaction';
import {
  findOrchestratedTenantId,
  findTenantVersion,
  insertTenant,
  lockOrchestratedLiveTenant,
  writeTenantVersion,
  type TenantData,
} from '../db/tenants';
import { API_PLAN, assignOriginAssets, type SubscriptionCode, type TenantRequest } from '../domain';
import type { ActivityDeps } from './deps';
import { FAILURE, permanent } from './errors';

export interface CreateTenantInput {
  workflowId: string;
  onboardingId: string;
  tenant: TenantRequest;
  /** What the onboarding will ask for; API subscriptions need the TRADE plan. Absent in inputs recorded before the rule. */
  subscriptions?: SubscriptionCode[];
}
export interface ArchiveTenantInput {
  onboardingId: string;
  tenantId: string;
}

export function tenantActivities({ pool, clock }: Pick<ActivityDeps, 'pool' | 'clock'>) {
  return {
    /** One tenant per onboarding: a retry finds the row its first attempt made. Version 1 carries the orchestration. */
    async createTenant({
      workflowId,
      onboardingId,
      tenant,
      subscriptions,
    }: CreateTenantInput): Promise<{ tenantId: string }> {
      // Checked here too, not only at the API: the onboarding fails at once, before anyone is asked to approve.
      if (subscriptions?.length && tenant.plan !== API_PLAN) {
        throw permanent(
          FAILURE.invalidInput,
          `API subscriptions need the ${API_PLAN} plan; tenant ${tenant.partnerProvidedId} has ${tenant.plan}`,
        );
      }
      const now = clock();
      const metadata = { orchestrationId: workflowId, orchestrationTimeStamp: now.toISOString() };
      // Its origins and their schedules are the orchestration's assets too: ids and the same metadata. A retry's
      // fresh ids are never stored: the first attempt's insert stands.
      const { origins } = assignOriginAssets(undefined, tenant.origins ?? [], { newId: randomUUID, metadata });
      const data: TenantData = {
        ...tenant,
        ...(tenant.origins && { origins }),
        orchestratedAssetMetadata: metadata,
      };
      try {
        const tenantId = await insertTenant(pool, { data, orchestrationId: onboardingId, at: now });
        if (tenantId) return { tenantId };
      } catch (err) {
        if (isUniqueViolation(err, 'tenants_live_partner_id')) {
          throw permanent(FAILURE.conflict, `a live tenant already has partnerProvidedId ${tenant.partnerProvidedId}`);
        }
        throw err;
      }
      // The insert did nothing: an earlier attempt of this onboarding made the tenant.
      const existing = await findOrchestratedTenantId(pool, onboardingId);
      if (!existing) throw new Error(`the tenant of onboarding ${onboardingId} was neither inserted nor found`);
      return { tenantId: existing };
    },

    /** Compensation: archive as a new version rather than delete, so what happened stays readable. */
    async archiveTenant({ onboardingId, tenantId }: ArchiveTenantInput): Promise<void> {
      await withTransaction(pool, async (tx) => {
        const current =
          (await lockOrchestratedLiveTenant(tx, tenantId, onboardingId)) && (await findTenantVersion(tx, tenantId));
        if (current) {
          const { tenantId: _id, version: _v, validFrom: _f, archived: _a, ...data } = current;
          await writeTenantVersion(tx, tenantId, data as TenantData, true, clock());
        }
      });
    },
  };
}
