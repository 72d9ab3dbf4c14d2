import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { isUniqueViolation } from '../../db/errors';
import {
  findTenantVersion,
  lockTenant,
  resolveTenantId,
  writeTenantVersion,
  type TenantData,
  type TenantView,
} from '../../db/tenants';
import { withTransaction } from '../../db/transaction';
import { assignOriginAssets, type NewAssets } from '../../domain';
import { assertTenantInScope } from '../config-auth';
import { badRequest, conflict, gone, notFound } from '../problem';

/** What a stored version holds beside the tenant's own fields. */
export const dataOf = ({ tenantId: _id, version: _v, validFrom: _f, archived: _a, ...data }: TenantView) =>
  data as TenantData;

/** New assets get fresh ids (none in testMode, which stores nothing) and name who made them, and when. */
export const newAssets = (orchestrationId: string, at: Date, testMode: boolean): NewAssets => ({
  newId: testMode ? () => null : randomUUID,
  metadata: { orchestrationId, orchestrationTimeStamp: at.toISOString() },
});

/**
 * The data to store: origins keep the ids the previous version gave them (so ids and links are the same in every
 * version), what is new gets an id and the maker's metadata; an id that is not the tenant's is a 400 naming it.
 */
export function withOriginAssets(
  previous: TenantData | undefined,
  next: TenantData,
  made: NewAssets,
  pathOf: (path: (string | number)[]) => string = (path) => ['origins', ...path].join('.'),
): TenantData {
  if (!Array.isArray(next.origins)) return next;
  const { origins, problems } = assignOriginAssets(previous?.origins as never, next.origins, made);
  if (problems.length)
    throw badRequest(
      `The request body is invalid: ${problems.map((p) => `${pathOf(p.path)}: ${p.message}`).join('; ')}`,
      problems.map((p) => ({ path: pathOf(p.path), message: p.message })),
    );
  return { ...next, origins };
}

/**
 * The tenant a request names, as it is now or was at asOf. A customer's token sees only its own tenants, and
 * anything else as missing; an archived tenant is 410 unless the caller may take it back (`archived: 'allow'`).
 */
export async function tenantOf(
  pool: Pool,
  req: Request,
  options: { asOf?: Date; archived?: 'allow' } = {},
): Promise<TenantView> {
  const identifier = String(req.params.identifier);
  const tenantId = await resolveTenantId(pool, identifier);
  assertTenantInScope(req, tenantId, identifier);
  const version = tenantId && (await findTenantVersion(pool, tenantId, options.asOf));
  if (!version)
    throw notFound(
      options.asOf ? `tenant ${identifier} did not exist at ${options.asOf.toISOString()}` : `no tenant ${identifier}`,
    );
  if (!options.asOf && version.archived && options.archived !== 'allow')
    throw gone(
      `tenant ${identifier} was archived at ${version.validFrom}; earlier versions stay readable with asOfDateTime, and staff may reactivate it with PATCH {"status": "ACTIVE"}`,
    );
  return version;
}

/**
 * Writes the next version built on the latest one under the tenant's row lock, so a concurrent write is built
 * upon rather than lost. `build` answers undefined when nothing would change: then nothing is written.
 */
export async function writeNextVersion(
  pool: Pool,
  tenantId: string,
  build: (current: TenantView) => { data: TenantData; archived: boolean } | undefined,
  options: {
    /** Reactivation builds on an archived tenant; every other write refuses one archived meanwhile. */
    archived?: 'allow';
    /** Runs in the same transaction after the version is written (an audit row, say). */
    after?: (tx: Parameters<typeof lockTenant>[0], written: TenantView) => Promise<void>;
  } = {},
): Promise<TenantView> {
  let next: ReturnType<typeof build>;
  try {
    return await withTransaction(pool, async (tx) => {
      await lockTenant(tx, tenantId);
      const current = (await findTenantVersion(tx, tenantId))!;
      if (current.archived && options.archived !== 'allow') throw gone(`tenant ${tenantId} was archived meanwhile`);
      next = build(current);
      if (!next) return current;
      const written = await writeTenantVersion(tx, tenantId, next.data, next.archived, new Date());
      await options.after?.(tx, written);
      return written;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'tenants_live_partner_id')) throw takenPartnerId(next?.data.partnerProvidedId);
    throw err;
  }
}

export const takenPartnerId = (id?: string) =>
  conflict(`a live tenant already has partnerProvidedId ${id ?? 'this tenant would have'}`);

/** Equal as JSON whatever the order of keys: a write that changes nothing writes no version. */
export const sameData = (a: unknown, b: unknown) => canonical(a) === canonical(b);
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
