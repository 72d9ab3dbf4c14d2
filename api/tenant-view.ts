import type { TenantView } from '../db/tenants';
import { activeScheduleAt, scheduleStatusAt, type ScheduleWindow } from '../domain';

type Asset = Record<string, unknown>;

/** A tenant version as stored, or as testMode would store it (no tenantId yet). */
export type StoredTenant = Omit<TenantView, 'tenantId' | 'validFrom'> & {
  tenantId: string | null;
  validFrom: string | null;
};

const tenantHref = (publicUrl: string, tenantId: string | null) =>
  tenantId ? `${publicUrl}/v1/tenants/${tenantId}` : null;

/**
 * The tenant as the API answers it: links built from the server-assigned ids (so they are the same in every
 * version), its status, and per origin the schedule in force at `at` (now, or the asOfDateTime read).
 */
export function presentTenant(tenant: StoredTenant, publicUrl: string, at: Date): Asset {
  const href = tenantHref(publicUrl, tenant.tenantId);
  const origins = tenant.origins as Asset[] | undefined;
  return {
    ...tenant,
    href,
    status: tenant.archived ? 'ARCHIVED' : 'ACTIVE',
    ...(origins && { origins: origins.map((o) => presentOrigin(o, tenant, publicUrl, at)) }),
  };
}

export function presentOrigin(
  origin: Asset,
  tenant: { tenantId: string | null; name?: unknown },
  publicUrl: string,
  at: Date,
): Asset {
  const href = tenantHref(publicUrl, tenant.tenantId);
  const schedules = ((origin.schedules as (Asset & ScheduleWindow)[] | undefined) ?? []).map((entry) => ({
    ...entry,
    status: scheduleStatusAt(entry, at),
  }));
  return {
    ...origin,
    href: href && origin.originId ? `${href}/origins/${origin.originId as string}` : null,
    tenantLinkReference: href && { href, identifier: tenant.tenantId, name: tenant.name },
    scheduleConfigured: schedules.length > 0 || origin.schedule !== undefined,
    activeSchedule: activeScheduleAt(schedules, at) ?? null,
    schedules,
  };
}
