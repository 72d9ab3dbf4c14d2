import type { PoolClient } from 'pg';
import type { Queryable } from './queryable';

export interface ClientTenant { tenantId: string; partnerProvidedId: string; enabled: boolean; notificationEmails: string[] }
export interface ClientView {
  clientId: string;
  administrators: string[];
  tenants: ClientTenant[];
  secretRotatedAt: string | null;
  previousSecretValidUntil: string | null;
}

export async function findClient(db: Queryable, clientId: string): Promise<ClientView | undefined> {
  const { rows } = await db.query<{ secret_rotated_at: Date | null; previous_secret_expires_at: Date | null }>(
    'SELECT secret_rotated_at, previous_secret_expires_at FROM api_clients WHERE client_id = $1 AND revoked_at IS NULL',
    [clientId],
  );
  if (!rows[0]) return undefined;
  const admins = await db.query<{ email: string }>('SELECT email FROM api_client_administrators WHERE client_id = $1 ORDER BY added_at, email', [clientId]);
  const tenants = await db.query<{ tenant_id: string; partner_provided_id: string; enabled: boolean; notification_emails: string[] }>(
    `SELECT t.tenant_id, te.partner_provided_id, t.enabled, t.notification_emails
     FROM api_client_tenants t JOIN tenants te ON te.tenant_id = t.tenant_id WHERE t.client_id = $1 ORDER BY te.partner_provided_id`,
    [clientId],
  );
  return {
    clientId,
    administrators: admins.rows.map((r) => r.email),
    tenants: tenants.rows.map((t) => ({ tenantId: t.tenant_id, partnerProvidedId: t.partner_provided_id, enabled: t.enabled, notificationEmails: t.notification_emails })),
    secretRotatedAt: rows[0].secret_rotated_at?.toISOString() ?? null,
    previousSecretValidUntil: rows[0].previous_secret_expires_at?.toISOString() ?? null,
  };
}

export async function isClientAdministrator(db: Queryable, clientId: string, email: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM api_client_administrators WHERE client_id = $1 AND email = lower($2)', [clientId, email]);
  return rows.length > 0;
}

/** The new secret's hash replaces the current one, which keeps working until graceUntil. */
export async function rotateClientSecret(db: Queryable, clientId: string, newSecretHash: string, graceUntil: Date): Promise<void> {
  await db.query(
    `UPDATE api_clients SET previous_secret_hash = secret_hash, previous_secret_expires_at = $3, secret_hash = $2, secret_rotated_at = now()
     WHERE client_id = $1 AND revoked_at IS NULL`,
    [clientId, newSecretHash, graceUntil],
  );
}

/** Adds a tenant; the tenant_id UNIQUE constraint keeps a tenant on at most one client. */
export async function addClientTenant(db: Queryable, clientId: string, tenantId: string, settings: { enabled: boolean; notificationEmails: string[] }): Promise<void> {
  await db.query('INSERT INTO api_client_tenants (client_id, tenant_id, enabled, notification_emails) VALUES ($1, $2, $3, $4)', [
    clientId,
    tenantId,
    settings.enabled,
    settings.notificationEmails,
  ]);
}

export async function updateClientTenant(db: Queryable, clientId: string, tenantId: string, settings: { enabled?: boolean; notificationEmails?: string[] }): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE api_client_tenants SET enabled = COALESCE($3, enabled), notification_emails = COALESCE($4, notification_emails)
     WHERE client_id = $1 AND tenant_id = $2`,
    [clientId, tenantId, settings.enabled ?? null, settings.notificationEmails ?? null],
  );
  return (rowCount ?? 0) > 0;
}

export async function removeClientTenant(db: Queryable, clientId: string, tenantId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM api_client_tenants WHERE client_id = $1 AND tenant_id = $2', [clientId, tenantId]);
  return (rowCount ?? 0) > 0;
}

export async function addClientAdministrator(db: Queryable, clientId: string, email: string): Promise<void> {
  await db.query('INSERT INTO api_client_administrators (client_id, email) VALUES ($1, lower($2)) ON CONFLICT DO NOTHING', [clientId, email]);
}

/**
 * Removes an administrator unless it is the last one (TecCom: "at least one administrator must be
 * assigned"). The client row is locked so that two concurrent removals cannot both pass the count.
 */
export async function removeClientAdministrator(tx: PoolClient, clientId: string, email: string): Promise<'removed' | 'last' | 'absent'> {
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
