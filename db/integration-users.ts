import type { PoolClient } from 'pg';
import type { Queryable } from './queryable';

/** Integration users (the customer's API user) and their one-time set-password links. */

export interface NewIntegrationUser {
  tenantId: string;
  username: string;
  email: string;
  integrationSystem: string;
  scope: 'TENANT' | 'AUTOMATION';
  invoiceDataAccess: boolean;
  orchestrationId: string;
}

/** The username of the integration user an onboarding created (its orchestration id is the onboarding id). */
export async function findOrchestratedUsername(db: Queryable, orchestrationId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ username: string }>(
    'SELECT username FROM integration_users WHERE orchestration_id = $1',
    [orchestrationId],
  );
  return rows[0]?.username;
}

/**
 * Inserts the user unless this orchestration made one already (then false). A username held by
 * another user fails with the unique violation on integration_users_username_key.
 */
export async function insertIntegrationUser(db: Queryable, user: NewIntegrationUser): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO integration_users (tenant_id, username, email, integration_system, scope, invoice_data_access, orchestration_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (orchestration_id) DO NOTHING`,
    [
      user.tenantId,
      user.username,
      user.email,
      user.integrationSystem,
      user.scope,
      user.invoiceDataAccess,
      user.orchestrationId,
    ],
  );
  return (rowCount ?? 0) > 0;
}

export async function disableOrchestratedUser(db: Queryable, orchestrationId: string, at: Date): Promise<void> {
  await db.query('UPDATE integration_users SET disabled_at = COALESCE(disabled_at, $2) WHERE orchestration_id = $1', [
    orchestrationId,
    at,
  ]);
}

/** What the password grant checks: a live user on a tenant the API client serves. */
export interface PasswordGrantUser {
  password_hash: string | null;
  tenant_id: string;
  scope: 'TENANT' | 'AUTOMATION';
  invoice_data_access: boolean;
}

export async function findUserForPasswordGrant(
  db: Queryable,
  username: string,
  apiClientId: string,
): Promise<PasswordGrantUser | undefined> {
  const { rows } = await db.query<PasswordGrantUser>(
    `SELECT u.password_hash, u.tenant_id, u.scope, u.invoice_data_access
     FROM integration_users u JOIN api_client_tenants t ON t.tenant_id = u.tenant_id AND t.enabled
     JOIN tenants te ON te.tenant_id = u.tenant_id AND te.archived_at IS NULL
     WHERE u.username = $1 AND t.client_id = $2 AND u.disabled_at IS NULL`,
    [username, apiClientId],
  );
  return rows[0];
}

/** The link's user while the link is unused, unexpired and its user live. */
export async function findOpenPasswordLink(
  db: Queryable,
  tokenHash: string,
): Promise<{ username: string; expires_at: Date } | undefined> {
  const { rows } = await db.query<{ username: string; expires_at: Date }>(
    `SELECT u.username, l.expires_at FROM integration_password_links l JOIN integration_users u ON u.id = l.integration_user_id
     WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now() AND u.disabled_at IS NULL`,
    [tokenHash],
  );
  return rows[0];
}

/** Spends the link and sets the password in one statement, so two racing submissions cannot both succeed. */
export async function setPasswordThroughLink(
  db: Queryable,
  tokenHash: string,
  passwordHash: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ username: string }>(
    `WITH link AS (
       UPDATE integration_password_links SET used_at = now()
       WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING integration_user_id
     )
     UPDATE integration_users u SET password_hash = $2 FROM link
     WHERE u.id = link.integration_user_id AND u.disabled_at IS NULL RETURNING u.username`,
    [tokenHash, passwordHash],
  );
  return rows[0]?.username;
}

/**
 * Gives an unused set-password link a new token (the earlier one stops working); false once the
 * password was set or the user disabled.
 */
export async function renewPasswordLink(
  db: Queryable,
  link: { onboardingId: string; tokenHash: string; expiresAt: Date },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE integration_password_links l SET token_hash = $2, expires_at = $3
       FROM integration_users u
      WHERE l.onboarding_id = $1 AND l.used_at IS NULL AND u.id = l.integration_user_id AND u.disabled_at IS NULL`,
    [link.onboardingId, link.tokenHash, link.expiresAt],
  );
  return rowCount === 1;
}

/** The tenant's live integration user, as a first onboarding created it: an expansion reuses it. */
export interface LiveIntegrationUser {
  username: string;
  email: string;
  integration_system: string;
  scope: 'TENANT' | 'AUTOMATION';
  invoice_data_access: boolean;
}

export async function findLiveIntegrationUserOfTenant(
  db: Queryable,
  tenantId: string,
): Promise<LiveIntegrationUser | undefined> {
  const { rows } = await db.query<LiveIntegrationUser>(
    `SELECT username, email, integration_system, scope, invoice_data_access FROM integration_users
     WHERE tenant_id = $1 AND disabled_at IS NULL ORDER BY created_at LIMIT 1`,
    [tenantId],
  );
  return rows[0];
}

/** Offboarding: every integration user of the tenant is disabled (their set-password links die with them). */
export async function disableTenantIntegrationUsers(db: Queryable, tenantId: string, at: Date): Promise<string[]> {
  await db.query('UPDATE integration_users SET disabled_at = COALESCE(disabled_at, $2) WHERE tenant_id = $1', [
    tenantId,
    at,
  ]);
  const { rows } = await db.query<{ username: string }>(
    'SELECT username FROM integration_users WHERE tenant_id = $1 ORDER BY username',
    [tenantId],
  );
  return rows.map((r) => r.username);
}

/** An API user as the tenant's list shows it, with the API client it uses. */
export interface ApiUserRow {
  id: string;
  tenant_id: string | null;
  username: string;
  email: string;
  integration_system: string;
  scope: 'TENANT' | 'AUTOMATION';
  invoice_data_access: boolean;
  disabled_at: Date | null;
  created_at: Date;
  client_id: string | null;
}

// The user's client: an automation user's own, else the one its onboarding issued, else the tenant's.
const API_USER_COLUMNS = `u.id, u.tenant_id, u.username, u.email, u.integration_system, u.scope, u.invoice_data_access,
  u.disabled_at, u.created_at,
  COALESCE((SELECT c.client_id FROM api_clients c WHERE c.automation_user_id = u.id),
           (SELECT c.client_id FROM api_clients c WHERE c.orchestration_id = u.orchestration_id),
           (SELECT t.client_id FROM api_client_tenants t WHERE t.tenant_id = u.tenant_id)) AS client_id`;

/** Every integration user of the tenant, live or disabled, oldest first. */
export async function listTenantApiUsers(db: Queryable, tenantId: string): Promise<ApiUserRow[]> {
  const { rows } = await db.query<ApiUserRow>(
    `SELECT ${API_USER_COLUMNS} FROM integration_users u WHERE u.tenant_id = $1 ORDER BY u.created_at, u.username`,
    [tenantId],
  );
  return rows;
}

export async function findTenantApiUser(
  db: Queryable,
  tenantId: string,
  username: string,
): Promise<ApiUserRow | undefined> {
  const { rows } = await db.query<ApiUserRow>(
    `SELECT ${API_USER_COLUMNS} FROM integration_users u WHERE u.tenant_id = $1 AND u.username = $2`,
    [tenantId, username],
  );
  return rows[0];
}

/** Locks the user until the transaction ends and answers its invoice access as it is then. */
export async function lockIntegrationUser(
  tx: PoolClient,
  id: string,
): Promise<{ invoice_data_access: boolean; disabled_at: Date | null }> {
  const { rows } = await tx.query<{ invoice_data_access: boolean; disabled_at: Date | null }>(
    'SELECT invoice_data_access, disabled_at FROM integration_users WHERE id = $1 FOR UPDATE',
    [id],
  );
  return rows[0];
}

export async function setInvoiceDataAccess(db: Queryable, id: string, invoiceDataAccess: boolean): Promise<void> {
  await db.query('UPDATE integration_users SET invoice_data_access = $2 WHERE id = $1', [id, invoiceDataAccess]);
}
