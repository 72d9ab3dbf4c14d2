import type { PoolClient } from 'pg';
import type { Queryable } from './queryable';
import { containing } from './like';
import { cursorAt, rowsAfter } from './keyset';

/** A tenant as stored in each version: the configuration, plus orchestratedAssetMetadata when an onboarding wrote it. */
export type TenantData = Record<string, unknown> & { partnerProvidedId: string; name: string; plan: string };

export interface TenantView extends Record<string, unknown> {
  tenantId: string;
  version: number;
  validFrom: string;
  archived: boolean;
}

interface VersionRow {
  tenant_id: string;
  version: number;
  data: TenantData;
  archived: boolean;
  valid_from: Date;
}

const view = (row: VersionRow): TenantView => ({
  tenantId: row.tenant_id,
  ...row.data,
  version: row.version,
  validFrom: row.valid_from.toISOString(),
  archived: row.archived,
});

/**
 * Inserts the tenant and its version 1, in one statement (so atomic without a transaction, and one
 * round trip where BEGIN, two inserts and COMMIT were four: #18). An orchestration id already taken
 * inserts neither and gives undefined.
 */
export async function insertTenant(
  db: Queryable,
  tenant: { data: TenantData; orchestrationId?: string; at: Date },
): Promise<string | undefined> {
  const { rows } = await db.query<{ tenant_id: string }>(
    `WITH tenant AS (
       INSERT INTO tenants (partner_provided_id, name, plan, data, orchestration_id, orchestrated_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (orchestration_id) DO NOTHING RETURNING tenant_id
     ), version AS (
       INSERT INTO tenant_versions (tenant_id, version, data, valid_from) SELECT tenant_id, 1, $4, $7 FROM tenant
     )
     SELECT tenant_id FROM tenant`,
    [
      tenant.data.partnerProvidedId,
      tenant.data.name,
      tenant.data.plan,
      tenant.data,
      tenant.orchestrationId ?? null,
      tenant.orchestrationId ? tenant.at : null,
      tenant.at,
    ],
  );
  return rows[0]?.tenant_id;
}

/** The tenant an onboarding created (its orchestration id is the onboarding id), if it did. */
export async function findOrchestratedTenantId(db: Queryable, orchestrationId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ tenant_id: string }>('SELECT tenant_id FROM tenants WHERE orchestration_id = $1', [
    orchestrationId,
  ]);
  return rows[0]?.tenant_id;
}

/** Locks the tenant row until the transaction ends, so a read-merge-write is built upon rather than lost. */
export async function lockTenant(tx: PoolClient, tenantId: string): Promise<void> {
  await tx.query('SELECT 1 FROM tenants WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
}

/** Locks the tenant if it is live and this orchestration made it; false otherwise (nothing to undo). */
export async function lockOrchestratedLiveTenant(
  tx: PoolClient,
  tenantId: string,
  orchestrationId: string,
): Promise<boolean> {
  const { rows } = await tx.query(
    'SELECT 1 FROM tenants WHERE tenant_id = $1 AND orchestration_id = $2 AND archived_at IS NULL FOR UPDATE',
    [tenantId, orchestrationId],
  );
  return rows.length > 0;
}

/**
 * Writes the next version and makes it the tenant's current state. Locks the tenant row, so two
 * writers queue rather than both claiming the same version number.
 */
export async function writeTenantVersion(
  tx: PoolClient,
  tenantId: string,
  data: TenantData,
  archived: boolean,
  at: Date,
): Promise<TenantView> {
  await lockTenant(tx, tenantId);
  const { rows } = await tx.query<VersionRow>(
    `INSERT INTO tenant_versions (tenant_id, version, data, archived, valid_from)
     SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4 FROM tenant_versions WHERE tenant_id = $1
     RETURNING tenant_id, version, data, archived, valid_from`,
    [tenantId, data, archived, at],
  );
  await tx.query(
    `UPDATE tenants SET partner_provided_id = $2, name = $3, plan = $4, data = $5,
       archived_at = CASE WHEN $6::boolean THEN COALESCE(archived_at, $7) ELSE NULL END
     WHERE tenant_id = $1`,
    [tenantId, data.partnerProvidedId, data.name, data.plan, data, archived, at],
  );
  return view(rows[0]);
}

/**
 * The SELECT of the tenant an identifier names, its placeholder given (e.g. '$1'): shared with the start
 * rules' one lookup (db/start-lookups.ts), so that both resolve an identifier alike.
 */
export const tenantIdNamedBy = (identifier: string) =>
  `SELECT tenant_id FROM tenants WHERE (${identifier}::text ~* '^[0-9a-f-]{36}$' AND tenant_id::text = lower(${identifier})) OR partner_provided_id = ${identifier}
     ORDER BY (tenant_id::text = lower(${identifier})) DESC, (archived_at IS NULL) DESC, created_at DESC LIMIT 1`;

/** tenantId, or the partnerProvidedId of the live tenant (else of the latest archived one, whose history stays readable). */
export async function resolveTenantId(db: Queryable, identifier: string): Promise<string | undefined> {
  const { rows } = await db.query<{ tenant_id: string }>(tenantIdNamedBy('$1'), [identifier]);
  return rows[0]?.tenant_id;
}

/** The version in force at asOf (default: now); undefined before the tenant existed. */
export async function findTenantVersion(db: Queryable, tenantId: string, asOf?: Date): Promise<TenantView | undefined> {
  const { rows } = await db.query<VersionRow>(
    `SELECT tenant_id, version, data, archived, valid_from FROM tenant_versions
     WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR valid_from <= $2)
     ORDER BY version DESC LIMIT 1`,
    [tenantId, asOf ?? null],
  );
  return rows[0] && view(rows[0]);
}

/** Whether another live tenant holds this partnerProvidedId (for testMode, which writes nothing). */
export async function partnerIdTaken(
  db: Queryable,
  partnerProvidedId: string,
  exceptTenantId?: string,
): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM tenants WHERE partner_provided_id = $1 AND archived_at IS NULL AND tenant_id IS DISTINCT FROM $2',
    [partnerProvidedId, exceptTenantId ?? null],
  );
  return rows.length > 0;
}

/** ShipServ: PRODUCTION or TEST, as the tenant's latest version says (absent: PRODUCTION). */
export const accountTypeOf = (data: Record<string, unknown>): 'PRODUCTION' | 'TEST' =>
  data.accountType === 'TEST' ? 'TEST' : 'PRODUCTION';

/** The account types of the tenants an API client serves (one, unless something went wrong). */
export async function clientAccountTypes(db: Queryable, clientId: string): Promise<('PRODUCTION' | 'TEST')[]> {
  const { rows } = await db.query<{ account_type: 'PRODUCTION' | 'TEST' }>(
    `SELECT DISTINCT coalesce(te.data ->> 'accountType', 'PRODUCTION') AS account_type FROM tenants te
      WHERE te.tenant_id IN (SELECT a.tenant_id FROM api_client_tenants a WHERE a.client_id = $1
                             UNION ALL
                             SELECT g.tenant_id FROM automation_grants g
                             JOIN api_clients c ON c.automation_user_id = g.integration_user_id WHERE c.client_id = $1)`,
    [clientId],
  );
  return rows.map((r) => r.account_type);
}

export async function tenantAccountType(db: Queryable, tenantId: string): Promise<'PRODUCTION' | 'TEST'> {
  const { rows } = await db.query<{ data: Record<string, unknown> }>('SELECT data FROM tenants WHERE tenant_id = $1', [
    tenantId,
  ]);
  return accountTypeOf(rows[0]?.data ?? {});
}

/** Offboarding: from now on the tenant's portal clients are not re-verified (listConnectedPortalClients). */
export async function markTenantOffboarded(db: Queryable, tenantId: string, at: Date): Promise<void> {
  await db.query('UPDATE tenants SET offboarded_at = COALESCE(offboarded_at, $2) WHERE tenant_id = $1', [tenantId, at]);
}

/** Whether the tenant has any API access left: an enabled live API client, or a live integration user. */
export async function tenantHasAccess(db: Queryable, tenantId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 WHERE EXISTS (SELECT 1 FROM api_client_tenants a JOIN api_clients c ON c.client_id = a.client_id
                            WHERE a.tenant_id = $1 AND c.revoked_at IS NULL)
                 OR EXISTS (SELECT 1 FROM integration_users WHERE tenant_id = $1 AND disabled_at IS NULL)
                 OR EXISTS (SELECT 1 FROM subscriptions WHERE tenant_id = $1 AND status = 'ASSIGNED')`,
    [tenantId],
  );
  return rows.length > 0;
}

/** A customer as GET /v1/tenants lists it. */
export interface TenantListItem {
  tenantId: string;
  partnerProvidedId: string;
  name: string;
  plan: string;
  archived: boolean;
  createdAt: string;
  /** An enabled, unrevoked API client and a live integration user, on a live tenant. */
  apiAccess: boolean;
  subscriptions: string[];
  clientId: string | null;
}

/**
 * Newest first, keyset-paged on (created_at, tenant_id) (db/keyset.ts); q matches name, partnerProvidedId or
 * tenantId. */
export async function listTenants(
  db: Queryable,
  filter: { limit: number; q?: string; after?: { createdAt: string; id: string } },
): Promise<(TenantListItem & { cursorAt: string })[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (value: unknown) => `$${args.push(value)}`;
  if (filter.q) {
    const like = arg(containing(filter.q));
    where.push(`(t.name ILIKE ${like} OR t.partner_provided_id ILIKE ${like} OR t.tenant_id::text ILIKE ${like})`);
  }
  if (filter.after)
    where.push(
      rowsAfter({ createdAt: 't.created_at', id: 't.tenant_id' }, arg(filter.after.createdAt), arg(filter.after.id)),
    );
  const { rows } = await db.query<TenantListItem & { createdAt: Date; cursorAt: string }>(
    `SELECT ${cursorAt('t.created_at')} AS "cursorAt", t.tenant_id AS "tenantId", t.partner_provided_id AS "partnerProvidedId", t.name, t.plan,
            t.archived_at IS NOT NULL AS archived, t.created_at AS "createdAt",
            COALESCE((SELECT array_agg(s.code ORDER BY s.code) FROM subscriptions s
                      WHERE s.tenant_id = t.tenant_id AND s.status = 'ASSIGNED'), '{}') AS subscriptions,
            (SELECT c.client_id FROM api_client_tenants a JOIN api_clients c ON c.client_id = a.client_id
              WHERE a.tenant_id = t.tenant_id AND c.revoked_at IS NULL) AS "clientId",
            (t.archived_at IS NULL
             AND EXISTS (SELECT 1 FROM api_client_tenants a JOIN api_clients c ON c.client_id = a.client_id
                         WHERE a.tenant_id = t.tenant_id AND a.enabled AND c.revoked_at IS NULL AND c.disabled_at IS NULL)
             AND EXISTS (SELECT 1 FROM integration_users u WHERE u.tenant_id = t.tenant_id AND u.disabled_at IS NULL)) AS "apiAccess"
     FROM tenants t
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY t.created_at DESC, t.tenant_id DESC LIMIT ${arg(filter.limit)}`,
    args,
  );
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}
