import type { PoolClient } from 'pg';
import { findAutomationCredentials } from './automation-users';
import type { ApiClientCredentials } from './api-client-credentials';
import type { Queryable } from './queryable';

export interface ApiClientTenant {
  tenantId: string;
  partnerProvidedId: string;
  enabled: boolean;
  notificationEmails: string[];
}
/** An administrator as the client shows them: the gangway user's names, null while they have none. */
export interface ApiClientAdministrator {
  email: string;
  firstName: string | null;
  lastName: string | null;
}
export interface ApiClientView {
  clientId: string;
  administrators: ApiClientAdministrator[];
  tenants: ApiClientTenant[];
  secretRotatedAt: string | null;
  previousSecretValidUntil: string | null;
}

export async function findApiClient(db: Queryable, clientId: string): Promise<ApiClientView | undefined> {
  const { rows } = await db.query<{ secret_rotated_at: Date | null; previous_secret_expires_at: Date | null }>(
    'SELECT secret_rotated_at, previous_secret_expires_at FROM api_clients WHERE client_id = $1 AND revoked_at IS NULL',
    [clientId],
  );
  if (!rows[0]) return undefined;
  const admins = await db.query<ApiClientAdministrator>(
    `SELECT a.email, u.first_name AS "firstName", u.last_name AS "lastName"
     FROM api_client_administrators a LEFT JOIN users u ON lower(u.email) = a.email
     WHERE a.client_id = $1 ORDER BY a.added_at, a.email`,
    [clientId],
  );
  const tenants = await db.query<{
    tenant_id: string;
    partner_provided_id: string;
    enabled: boolean;
    notification_emails: string[];
  }>(
    `SELECT t.tenant_id, te.partner_provided_id, t.enabled, t.notification_emails
     FROM api_client_tenants t JOIN tenants te ON te.tenant_id = t.tenant_id WHERE t.client_id = $1 ORDER BY te.partner_provided_id`,
    [clientId],
  );
  return {
    clientId,
    administrators: admins.rows,
    tenants: tenants.rows.map((t) => ({
      tenantId: t.tenant_id,
      partnerProvidedId: t.partner_provided_id,
      enabled: t.enabled,
      notificationEmails: t.notification_emails,
    })),
    secretRotatedAt: rows[0].secret_rotated_at?.toISOString() ?? null,
    previousSecretValidUntil: rows[0].previous_secret_expires_at?.toISOString() ?? null,
  };
}

/**
 * The client an orchestration issues: the client, the tenant it serves, its administrators and the
 * kit that keeps its sealed secret until the customer opens it, in one statement (atomic without a
 * transaction; one round trip where seven were: #18). If the orchestration already issued one, nothing
 * is written and that client's id comes back.
 */
export async function insertOrchestratedApiClient(
  db: Queryable,
  client: {
    clientId: string;
    secretHash: string;
    orchestrationId: string;
    createdAt: Date;
    tenantId: string;
    administrators: string[];
    clientSecretSealed: string;
  },
): Promise<string> {
  const { rows } = await db.query<{ client_id: string }>(
    `WITH existing AS (
       SELECT client_id FROM api_clients WHERE orchestration_id = $3
     ), client AS (
       INSERT INTO api_clients (client_id, secret_hash, orchestration_id, created_at)
       SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM existing)
       RETURNING client_id
     ), tenant AS (
       INSERT INTO api_client_tenants (client_id, tenant_id) SELECT client_id, $5 FROM client
     ), administrators AS (
       INSERT INTO api_client_administrators (client_id, email)
       SELECT client.client_id, lower(e) FROM client, unnest($6::text[]) AS e ON CONFLICT DO NOTHING
     ), kit AS (
       INSERT INTO kits (onboarding_id, client_id, client_secret_sealed) SELECT $3::uuid, client_id, $7 FROM client
     )
     SELECT client_id FROM client UNION ALL SELECT client_id FROM existing`,
    [
      client.clientId,
      client.secretHash,
      client.orchestrationId,
      client.createdAt,
      client.tenantId,
      client.administrators,
      client.clientSecretSealed,
    ],
  );
  if (!rows[0]) throw new Error(`the API client of ${client.orchestrationId} was neither issued nor found`);
  return rows[0].client_id;
}

/** The clients an orchestration issued stop working and serve no tenant any more; the caller owns the transaction. */
export async function revokeOrchestratedApiClients(tx: PoolClient, orchestrationId: string, at: Date): Promise<void> {
  const revoked = await tx.query<{ client_id: string }>(
    'UPDATE api_clients SET revoked_at = COALESCE(revoked_at, $2) WHERE orchestration_id = $1 RETURNING client_id',
    [orchestrationId, at],
  );
  for (const { client_id } of revoked.rows)
    await tx.query('DELETE FROM api_client_tenants WHERE client_id = $1', [client_id]);
}

export async function findApiClientCredentials(
  db: Queryable,
  clientId: string,
): Promise<ApiClientCredentials | undefined> {
  const { rows } = await db.query<ApiClientCredentials & { automation_user_id: string | null }>(
    `SELECT c.automation_user_id, c.secret_hash, c.previous_secret_hash, COALESCE(c.previous_secret_expires_at > now(), false) AS previous_valid,
            array_remove(array_agg(DISTINCT t.tenant_id::text), NULL) AS tenant_ids,
            array_remove(array_agg(DISTINCT s.code || coalesce(':' || s.role, '')), NULL) AS subscriptions,
            COALESCE(bool_or(u.invoice_data_access), false) AS invoice,
            EXISTS (SELECT 1 FROM api_client_tenants a JOIN tenants te ON te.tenant_id = a.tenant_id
                    WHERE a.client_id = c.client_id AND te.archived_at IS NULL) AS has_live_tenant
     FROM api_clients c
     LEFT JOIN api_client_tenants t ON t.client_id = c.client_id AND t.enabled
       AND EXISTS (SELECT 1 FROM tenants te WHERE te.tenant_id = t.tenant_id AND te.archived_at IS NULL)
     LEFT JOIN subscriptions s ON s.tenant_id = t.tenant_id AND s.status = 'ASSIGNED'
     LEFT JOIN integration_users u ON u.tenant_id = t.tenant_id AND u.disabled_at IS NULL
     WHERE c.client_id = $1 AND c.revoked_at IS NULL AND c.disabled_at IS NULL
     GROUP BY c.client_id`,
    [clientId],
  );
  // An automation user's client serves the tenants granted to its user, not tenants attached to it.
  if (rows[0]?.automation_user_id) return findAutomationCredentials(db, clientId);
  return rows[0];
}

export async function isApiClientAdministrator(db: Queryable, clientId: string, email: string): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM api_client_administrators WHERE client_id = $1 AND email = lower($2)',
    [clientId, email],
  );
  return rows.length > 0;
}

/** The new secret's hash replaces the current one, which keeps working until graceUntil. */
export async function rotateApiClientSecret(
  db: Queryable,
  clientId: string,
  newSecretHash: string,
  graceUntil: Date,
): Promise<void> {
  await db.query(
    `UPDATE api_clients SET previous_secret_hash = secret_hash, previous_secret_expires_at = $3, secret_hash = $2, secret_rotated_at = now()
     WHERE client_id = $1 AND revoked_at IS NULL`,
    [clientId, newSecretHash, graceUntil],
  );
}

/** A secret nobody has seen is replaced outright: the one it replaces never worked for anyone, so no grace. */
export async function replaceUnrevealedSecret(db: Queryable, clientId: string, newSecretHash: string): Promise<void> {
  await db.query('UPDATE api_clients SET secret_hash = $2 WHERE client_id = $1 AND revoked_at IS NULL', [
    clientId,
    newSecretHash,
  ]);
}

/** Adds a tenant; the tenant_id UNIQUE constraint keeps a tenant on at most one client. */
export async function addApiClientTenant(
  db: Queryable,
  clientId: string,
  tenantId: string,
  settings: { enabled: boolean; notificationEmails: string[] },
): Promise<void> {
  await db.query(
    'INSERT INTO api_client_tenants (client_id, tenant_id, enabled, notification_emails) VALUES ($1, $2, $3, $4)',
    [clientId, tenantId, settings.enabled, settings.notificationEmails],
  );
}

export async function updateApiClientTenant(
  db: Queryable,
  clientId: string,
  tenantId: string,
  settings: { enabled?: boolean; notificationEmails?: string[] },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE api_client_tenants SET enabled = COALESCE($3, enabled), notification_emails = COALESCE($4, notification_emails)
     WHERE client_id = $1 AND tenant_id = $2`,
    [clientId, tenantId, settings.enabled ?? null, settings.notificationEmails ?? null],
  );
  return (rowCount ?? 0) > 0;
}

export async function removeApiClientTenant(db: Queryable, clientId: string, tenantId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM api_client_tenants WHERE client_id = $1 AND tenant_id = $2', [
    clientId,
    tenantId,
  ]);
  return (rowCount ?? 0) > 0;
}

export async function addApiClientAdministrator(db: Queryable, clientId: string, email: string): Promise<void> {
  await db.query(
    'INSERT INTO api_client_administrators (client_id, email) VALUES ($1, lower($2)) ON CONFLICT DO NOTHING',
    [clientId, email],
  );
}

/**
 * Removes an administrator unless it is the last one (TecCom: "at least one administrator must be
 * assigned"). The client row is locked so that two concurrent removals cannot both pass the count.
 */
export async function removeApiClientAdministrator(
  tx: PoolClient,
  clientId: string,
  email: string,
): Promise<'removed' | 'last' | 'absent'> {
  await tx.query('SELECT 1 FROM api_clients WHERE client_id = $1 FOR UPDATE', [clientId]);
  const { rows } = await tx.query<{ n: string; present: boolean }>(
    'SELECT count(*) AS n, bool_or(email = lower($2)) AS present FROM api_client_administrators WHERE client_id = $1',
    [clientId, email],
  );
  if (!rows[0].present) return 'absent';
  if (Number(rows[0].n) <= 1) return 'last';
  await tx.query('DELETE FROM api_client_administrators WHERE client_id = $1 AND email = lower($2)', [clientId, email]);
  return 'removed';
}

/**
 * Whom a rotated secret is mailed to: the notification emails of the client's tenants and the notify email
 * of the onboarding that issued it (the customer's contacts, never staff).
 */
export async function findClientContacts(db: Queryable, clientId: string): Promise<string[]> {
  const { rows } = await db.query<{ email: string }>(
    `SELECT DISTINCT lower(e) AS email FROM (
       SELECT unnest(t.notification_emails) AS e FROM api_client_tenants t WHERE t.client_id = $1
       UNION ALL
       SELECT o.notify_email FROM api_clients c JOIN onboardings o ON o.id::text = c.orchestration_id WHERE c.client_id = $1
     ) contacts WHERE e IS NOT NULL ORDER BY 1`,
    [clientId],
  );
  return rows.map((r) => r.email);
}

/** Whether a tenant is archived (an archived tenant is attached to no client). */
export async function isTenantArchived(db: Queryable, tenantId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM tenants WHERE tenant_id = $1 AND archived_at IS NOT NULL', [tenantId]);
  return rows.length > 0;
}

/** The API client serving the tenant, unless revoked: an expansion reuses it. */
export async function findLiveApiClientIdOfTenant(db: Queryable, tenantId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ client_id: string }>(
    `SELECT c.client_id FROM api_client_tenants t JOIN api_clients c ON c.client_id = t.client_id
     WHERE t.tenant_id = $1 AND c.revoked_at IS NULL`,
    [tenantId],
  );
  return rows[0]?.client_id;
}

/**
 * Offboarding, first step: the tenant is switched off on its API client, and a client that then serves
 * no other enabled live tenant is disabled, so /oauth/token refuses it and its access tokens stop working
 * (api/routes/platform.ts checks the client on every request). Answers the client, if the tenant had one.
 */
export async function refuseTenantTokens(
  tx: PoolClient,
  tenantId: string,
  at: Date,
): Promise<{ clientId: string; shared: boolean } | undefined> {
  const { rows } = await tx.query<{ client_id: string }>(
    'UPDATE api_client_tenants SET enabled = false WHERE tenant_id = $1 RETURNING client_id',
    [tenantId],
  );
  const clientId = rows[0]?.client_id;
  if (!clientId) return undefined;
  const shared = await servesOtherLiveTenant(tx, clientId, tenantId);
  if (!shared)
    await tx.query('UPDATE api_clients SET disabled_at = COALESCE(disabled_at, $2) WHERE client_id = $1', [
      clientId,
      at,
    ]);
  return { clientId, shared };
}

/**
 * Offboarding: the client's secret stops working for good (revoked, with the undelivered copies in kits and
 * secret deliveries destroyed), unless the client also serves another live tenant: then only this tenant's
 * link stays switched off. The link itself stays, so the tenant's history still names its client.
 */
export async function revokeTenantApiClient(
  tx: PoolClient,
  tenantId: string,
  at: Date,
): Promise<{ clientId: string; shared: boolean } | undefined> {
  const { rows } = await tx.query<{ client_id: string }>(
    'SELECT client_id FROM api_client_tenants WHERE tenant_id = $1 FOR UPDATE',
    [tenantId],
  );
  const clientId = rows[0]?.client_id;
  if (!clientId) return undefined;
  if (await servesOtherLiveTenant(tx, clientId, tenantId)) return { clientId, shared: true };
  await tx.query(
    `UPDATE api_clients SET revoked_at = COALESCE(revoked_at, $2), previous_secret_hash = NULL, previous_secret_expires_at = NULL
     WHERE client_id = $1`,
    [clientId, at],
  );
  await tx.query('UPDATE kits SET client_secret_sealed = NULL WHERE client_id = $1', [clientId]);
  await tx.query('UPDATE secret_deliveries SET secret_sealed = NULL WHERE client_id = $1', [clientId]);
  return { clientId, shared: false };
}

async function servesOtherLiveTenant(db: Queryable, clientId: string, tenantId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM api_client_tenants a JOIN tenants te ON te.tenant_id = a.tenant_id
     WHERE a.client_id = $1 AND a.tenant_id <> $2 AND a.enabled AND te.archived_at IS NULL AND te.offboarded_at IS NULL`,
    [clientId, tenantId],
  );
  return rows.length > 0;
}
