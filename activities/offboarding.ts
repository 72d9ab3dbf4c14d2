import { Context } from '@temporalio/activity';
import { listPendingAccessChangeIdsOfTenant } from '../db/access-changes';
import { refuseTenantTokens, revokeTenantApiClient } from '../db/api-clients';
import { eraseTenantPortalCredentials } from '../db/collector-links';
import { disableTenantIntegrationUsers } from '../db/integration-users';
import { upsertOffboardingView } from '../db/offboardings';
import { findOnboardingStatus, findOpenOnboardingOfTenant, findTenantContacts } from '../db/onboardings';
import { insertSecurityEvent } from '../db/security-events';
import { unassignAllSubscriptions } from '../db/subscriptions';
import {
  findTenantVersion,
  lockTenant,
  markTenantOffboarded,
  writeTenantVersion,
  type TenantData,
} from '../db/tenants';
import { withTransaction } from '../db/transaction';
import { enqueueWebhook } from '../notify/webhook-outbox';
import { FINAL_STATUSES, type OffboardingInput, type OffboardingView, type OnboardingStatus } from '../domain';
import type { ActivityDeps } from './deps';

export const TENANT_OFFBOARDED = 'tenant.offboarded';

export interface TenantStepInput {
  offboardingId: string;
  tenantId: string;
}
/** Each step's activity answers what it did, in words for the step's detail. */
export interface StepOutcome {
  detail: string;
}
export interface OpenOnboarding {
  id: string;
  workflowId: string;
  firstRunId: string | null;
}

/** How long one wait for an onboarding to close polls before handing back to its retry policy. */
const CLOSE_WAIT_SLICE_MS = 60_000;

/**
 * The offboarding's steps. Each is one idempotent statement or transaction over the tenant's rows
 * ("set where not yet set"), so a retry after a crash finds the work done and does nothing twice.
 */
export function offboardingActivities({ pool, mail, clock }: Pick<ActivityDeps, 'pool' | 'mail' | 'clock'>) {
  return {
    async recordOffboarding({ view }: { view: OffboardingView }): Promise<void> {
      await upsertOffboardingView(pool, view);
    },

    async refuseTokens({ tenantId }: TenantStepInput): Promise<StepOutcome> {
      const client = await withTransaction(pool, (tx) => refuseTenantTokens(tx, tenantId, clock()));
      if (!client) return { detail: 'the tenant has no API client' };
      return {
        detail: client.shared
          ? `tenant switched off on API client ${client.clientId}, which serves other tenants too`
          : `API client ${client.clientId} disabled: no new tokens, issued ones refused`,
      };
    },

    async findOpenOnboarding(tenant: OffboardingInput['tenant']): Promise<OpenOnboarding | null> {
      const open = await findOpenOnboardingOfTenant(pool, tenant);
      return open ? { id: open.id, workflowId: open.workflow_id, firstRunId: open.first_run_id } : null;
    },

    /**
     * Waits, heartbeating, until the onboarding's read model shows it closed: its workflow writes the
     * final status only after its compensation has run. A slice that runs out is retried by the policy.
     */
    async awaitOnboardingClosed({ onboardingId }: { onboardingId: string }): Promise<{ status: OnboardingStatus }> {
      const deadline = Date.now() + CLOSE_WAIT_SLICE_MS;
      for (;;) {
        const status = await findOnboardingStatus(pool, onboardingId);
        if (!status || (FINAL_STATUSES as readonly string[]).includes(status)) return { status: status ?? 'CANCELLED' };
        if (Date.now() > deadline) throw new Error(`onboarding ${onboardingId} is still ${status}`);
        Context.current().heartbeat(status);
        await Context.current().sleep(250);
      }
    },

    async stopReverification({ tenantId }: TenantStepInput): Promise<StepOutcome> {
      await markTenantOffboarded(pool, tenantId, clock());
      return { detail: 'the tenant’s portal clients are no longer re-verified' };
    },

    async revokeTenantClient({ tenantId }: TenantStepInput): Promise<StepOutcome> {
      const client = await withTransaction(pool, (tx) => revokeTenantApiClient(tx, tenantId, clock()));
      if (!client) return { detail: 'the tenant has no API client' };
      return {
        detail: client.shared
          ? `API client ${client.clientId} serves other live tenants: it stays, switched off for this one`
          : `API client ${client.clientId} revoked; undelivered copies of its secret destroyed`,
      };
    },

    async disableTenantUsers({ tenantId }: TenantStepInput): Promise<StepOutcome> {
      const usernames = await disableTenantIntegrationUsers(pool, tenantId, clock());
      return { detail: usernames.length ? `disabled: ${usernames.join(', ')}` : 'the tenant has no integration user' };
    },

    /** The widenings that would otherwise wait for an approver after the tenant is gone (withdrawn next). */
    async findPendingAccessChanges({ tenantId }: TenantStepInput): Promise<string[]> {
      return listPendingAccessChangeIdsOfTenant(pool, tenantId);
    },

    async unassignTenantSubscriptions({ tenantId }: TenantStepInput): Promise<StepOutcome> {
      const codes = await unassignAllSubscriptions(pool, tenantId, clock());
      return { detail: codes.length ? `unassigned: ${codes.join(', ')}` : 'none held' };
    },

    async eraseTenantCredentials({ tenantId }: TenantStepInput): Promise<StepOutcome> {
      const clients = await eraseTenantPortalCredentials(pool, tenantId);
      return {
        detail: clients.length
          ? `portal credentials erased for ${clients.join(', ')}; open collector links closed`
          : 'no stored portal credentials',
      };
    },

    /** Mail and webhook, each keyed by the offboarding, so a retry tells nobody twice. */
    async notifyOffboarded(input: OffboardingInput): Promise<StepOutcome> {
      const { offboardingId, tenant } = input;
      const contacts = await findTenantContacts(pool, tenant.tenantId);
      if (contacts.webhook) {
        await enqueueWebhook(pool, {
          id: `${offboardingId}.offboarded`,
          onboardingId: contacts.webhook.onboardingId,
          url: contacts.webhook.url,
          type: TENANT_OFFBOARDED,
          occurredAt: clock(),
          data: { offboardingId, tenantId: tenant.tenantId, partnerProvidedId: tenant.partnerProvidedId },
        });
      }
      if (contacts.email) {
        await mail.sendOnce({
          idempotencyKey: `${offboardingId}:NOTIFY_CUSTOMER`,
          to: contacts.email,
          subject: `Your API integration (${tenant.partnerProvidedId}) has been closed`,
          text: [
            `The API integration of ${tenant.name} (${tenant.partnerProvidedId}) has been closed.`,
            'Its client credentials and integration user no longer work, its subscriptions have ended, and the portal',
            'credentials your clients gave us have been erased.',
          ].join('\n'),
        });
      }
      const told = [contacts.email && `mailed ${contacts.email}`, contacts.webhook && 'webhook queued'].filter(Boolean);
      return { detail: told.length ? told.join('; ') : 'no contact on record' };
    },

    /** The tenant is archived as a new version (what happened stays readable); the offboarding is audited. */
    async archiveOffboardedTenant(input: OffboardingInput): Promise<StepOutcome> {
      const { offboardingId, tenant, reason, requestedBy } = input;
      return withTransaction(pool, async (tx) => {
        await lockTenant(tx, tenant.tenantId);
        const current = await findTenantVersion(tx, tenant.tenantId);
        if (!current || current.archived) return { detail: 'already archived' };
        const { tenantId: _id, version: _v, validFrom: _f, archived: _a, ...data } = current;
        const written = await writeTenantVersion(tx, tenant.tenantId, data as TenantData, true, clock());
        await insertSecurityEvent(tx, {
          event: 'tenant_offboarded',
          actor: requestedBy,
          subject: tenant.tenantId,
          reason,
          detail: { offboardingId, partnerProvidedId: tenant.partnerProvidedId },
        });
        return { detail: `archived as version ${written.version}` };
      });
    },
  };
}
