import type { PoolClient } from 'pg';
import type { ApiClientCredentials } from './api-client-credentials';
import type { Queryable } from './queryable';

/**
 * Ongoing WMS automation users, created on their own: an integration user of scope AUTOMATION under no tenant,
 * with an API client of its own (api_clients.automation_user_id) and the tenants it is granted
 * (automation_grants), or every tenant (integration_users.all_tenants).
 */

export interface NewAutomationUser {
  username: string;
  email: string;
  integrationSystem: string;
  invoiceDataAccess: boolean;
  allTenants: boolean;
  tenantIds: string[];
  clientId: string;
  secretHash: string;
  /** TecCom: a client always has an administrator; the admin who creates it. */
  administrator: string;
  createdAt: Date;
}

/** The user, its client and its grants, in the caller's transaction; a taken username fails on its unique key. */
export async function insertAutomationUser(tx: PoolClient, user: NewAutomationUser): Promise<void> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO integration_users (tenant_id, username, email, integration_system, scope, invoice_data_access, all_tenants, created_at)
     VALUES (NULL, $1, $2, $3, 'AUTOMATION', $4, $5, $6) RETURNING id`,
    [user.username, user.email, user.integrationSystem, user.invoiceDataAccess, user.allTenants, user.createdAt],
  );
  const userId = rows[0].id;
  await tx.query(
    'INSERT INTO api_clients (client_id, secret_hash, automation_user_id, created_at) VALUES ($1, $2, $3, $4)',
    [user.clientId, user.secretHash, userId, user.createdAt],
  );
  await tx.query('INSERT INTO api_client_administrators (client_id, email) VALUES ($1, lower($2))', [
    user.clientId,
    user.administrator,
  ]);
  await tx.query(
    `INSERT INTO automation_grants (integration_user_id, tenant_id, granted_at)
     SELECT $1, t, $3 FROM unnest($2::uuid[]) AS t`,
    [userId, user.tenantIds, user.createdAt],
  );
}

export interface AutomationUserRow {
  username: string;
  email: string;
  integration_system: string;
  invoice_data_access: boolean;
  all_tenants: boolean;
  disabled_at: Date | null;
  created_at: Date;
  client_id: string;
  grants: { tenantId: string; partnerProvidedId: string }[];
}

const AUTOMATION_USER = `SELECT u.username, u.email, u.integration_system, u.invoice_data_access, u.all_tenants, u.disabled_at,
    u.created_at, c.client_id,
    COALESCE((SELECT json_agg(json_build_object('tenantId', g.tenant_id, 'partnerProvidedId', te.partner_provided_id)
                              ORDER BY te.partner_provided_id)
              FROM automation_grants g JOIN tenants te ON te.tenant_id = g.tenant_id
              WHERE g.integration_user_id = u.id), '[]') AS grants
  FROM integration_users u JOIN api_clients c ON c.automation_user_id = u.id`;

export async function findAutomationUser(db: Queryable, username: string): Promise<AutomationUserRow | undefined> {
  const { rows } = await db.query<AutomationUserRow>(`${AUTOMATION_USER} WHERE u.username = $1`, [username]);
  return rows[0];
}

export async function listAutomationUsers(db: Queryable): Promise<AutomationUserRow[]> {
  const { rows } = await db.query<AutomationUserRow>(`${AUTOMATION_USER} ORDER BY u.created_at, u.username LIMIT 500`);
  return rows;
}

/**
 * What /oauth/token and every platform request check for an automation user's client: the live tenants it
 * is granted (none listed for every tenant: its tokens say '*'), their subscriptions, and its own invoice
 * access. It serves nothing once its user is disabled, or when every tenant it was granted is archived.
 */
export async function findAutomationCredentials(
  db: Queryable,
  clientId: string,
): Promise<ApiClientCredentials | undefined> {
  const { rows } = await db.query<ApiClientCredentials>(
    `WITH au AS (
       SELECT u.id, u.all_tenants, u.invoice_data_access FROM api_clients c
       JOIN integration_users u ON u.id = c.automation_user_id AND u.disabled_at IS NULL
       WHERE c.client_id = $1
     ), live AS (
       SELECT te.tenant_id FROM tenants te, au
       WHERE te.archived_at IS NULL
         AND (au.all_tenants OR EXISTS (SELECT 1 FROM automation_grants g WHERE g.integration_user_id = au.id AND g.tenant_id = te.tenant_id))
     )
     SELECT c.secret_hash, c.previous_secret_hash, COALESCE(c.previous_secret_expires_at > now(), false) AS previous_valid,
            CASE WHEN au.all_tenants THEN ARRAY[]::text[] ELSE ARRAY(SELECT tenant_id::text FROM live ORDER BY 1) END AS tenant_ids,
            ARRAY(SELECT DISTINCT s.code || coalesce(':' || s.role, '') FROM subscriptions s JOIN live l ON l.tenant_id = s.tenant_id
                  WHERE s.status = 'ASSIGNED' ORDER BY 1) AS subscriptions,
            au.invoice_data_access AS invoice,
            (au.all_tenants OR EXISTS (SELECT 1 FROM live)) AS has_live_tenant,
            au.all_tenants
     FROM api_clients c JOIN au ON true
     WHERE c.client_id = $1 AND c.revoked_at IS NULL AND c.disabled_at IS NULL`,
    [clientId],
  );
  return rows[0];
}

/** Whether the client is an automation user's: it serves its user's grants, never tenants attached to it. */
export async function isAutomationClient(db: Queryable, clientId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM api_clients WHERE client_id = $1 AND automation_user_id IS NOT NULL', [
    clientId,
  ]);
  return rows.length > 0;
}
