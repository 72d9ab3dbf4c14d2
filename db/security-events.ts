import type { Queryable } from './queryable';

/** The security event log: append-only; read by operators (and tests), never by the request path. */

export type SecurityEventName =
  | 'login_failed'
  | 'login_limited'
  | 'invalid_client'
  | 'refresh_token_reused'
  | 'rate_limited'
  | 'user_disabled'
  | 'user_enabled'
  | 'logout'
  | 'client_secret_rotated'
  | 'client_tenant_added'
  | 'client_tenant_updated'
  | 'client_tenant_removed'
  | 'client_administrator_added'
  | 'client_administrator_removed'
  | 'tenant_offboard_requested'
  | 'tenant_offboarded'
  | 'tenant_delete_refused'
  | 'tenant_reactivated';

export interface SecurityEvent {
  event: SecurityEventName;
  actor?: string;
  subject?: string;
  reason?: string;
  ip?: string;
  detail?: Record<string, unknown>;
}

export async function insertSecurityEvent(db: Queryable, e: SecurityEvent): Promise<void> {
  await db.query(
    'INSERT INTO security_events (event, actor, subject, reason, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)',
    [e.event, e.actor ?? null, e.subject ?? null, e.reason ?? null, e.ip ?? null, e.detail ?? {}],
  );
}
