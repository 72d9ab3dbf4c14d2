import { createSecretKey } from 'node:crypto';
import type { Request } from 'express';
import jwt from 'jsonwebtoken';
import type { Pool } from 'pg';
import { findApiClientCredentials } from '../db/api-clients';
import type { Secrets } from '../lib/secrets';

/** Subscriptions whose data is invoice data (Ongoing WMS: hidden unless the API user is allowed to see it). */
export const INVOICE_SCOPES = ['invoicing', 'control_tower_invoicing'];
/** `invoicing:supplier` is an invoice scope as `invoicing` is: the part before the role decides. */
export const isInvoiceScope = (scope: string) => INVOICE_SCOPES.includes(scope.split(':')[0]);
export const PLATFORM_AUDIENCE = 'gangway-platform';
/** A KeyObject: given raw bytes, jsonwebtoken first tries them as a public key on every call (costly). */
export const customerTokenKey = (secrets: Secrets) => createSecretKey(secrets.keyFor('customer-access-token'));

export function basicCredentials(req: Request): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.get('authorization') ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  // RFC 6749 §2.3.1 form-encodes both parts; a malformed % escape is a wrong credential, not a server error.
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}

export interface AuthenticatedApiClient {
  clientId: string;
  /** Tenants enabled for requests on this client. */
  tenantIds: string[];
  /** Every subscription those tenants hold: one set of credentials serves them all (ShipServ). */
  subscriptions: string[];
  /** Whether any of the client's live integration users may see invoice data. */
  invoiceDataAccess: boolean;
  /** An automation user's client granted every tenant, present and future. */
  allTenants: boolean;
}

/** The current secret, or the previous one during its grace period after a rotation (TecCom "rotate secret"). */
export async function authenticateApiClient(
  pool: Pool,
  secrets: Secrets,
  presented: { clientId: string; secret: string },
): Promise<AuthenticatedApiClient | undefined> {
  const row = await findApiClientCredentials(pool, presented.clientId);
  // A disabled client, or one whose tenants are all archived, authenticates no more (RFC 6749 invalid_client).
  if (!row || !row.has_live_tenant) return undefined;
  const current = secrets.tokenMatches(presented.secret, row.secret_hash);
  const previous =
    row.previous_valid &&
    row.previous_secret_hash !== null &&
    secrets.tokenMatches(presented.secret, row.previous_secret_hash);
  if (!current && !previous) return undefined;
  return {
    clientId: presented.clientId,
    tenantIds: row.tenant_ids,
    subscriptions: row.subscriptions,
    invoiceDataAccess: row.invoice,
    allTenants: row.all_tenants ?? false,
  };
}

/** Subscription codes as OAuth scopes; invoice scopes only for a subject allowed to see invoice data. */
export function scopeFor(subscriptions: string[], invoiceDataAccess: boolean): string {
  return subscriptions
    .map((s) => s.toLowerCase())
    .filter((s) => invoiceDataAccess || !isInvoiceScope(s))
    .sort()
    .join(' ');
}

export interface PlatformClaims {
  scope: string;
  tenants: string[];
  client_id: string;
  sub: string;
}

export function verifyCustomerToken(secrets: Secrets, token: string): PlatformClaims | undefined {
  try {
    return jwt.verify(token, customerTokenKey(secrets), {
      algorithms: ['HS256'],
      issuer: 'gangway',
      audience: PLATFORM_AUDIENCE,
    }) as PlatformClaims;
  } catch {
    return undefined;
  }
}

/**
 * Whether an access token's client still has the access it was issued for: not revoked or disabled, serving a
 * live tenant, and (unless the token works across all tenants) still enabled for one of the token's tenants.
 * Checked on every platform request, so that an offboarding refuses tokens already issued at once.
 */
export async function isAccessTokenLive(pool: Pool, claims: PlatformClaims): Promise<boolean> {
  const row = await findApiClientCredentials(pool, claims.client_id);
  if (!row || !row.has_live_tenant) return false;
  const tenants = claims.tenants ?? [];
  if (tenants.length === 0 || tenants.includes('*')) return true;
  return tenants.some((t) => row.tenant_ids.includes(t));
}

/**
 * The tenants a customer token may configure: those its API client serves now (enabled, not archived), narrowed
 * to the token's own tenants unless it works across all of them. Undefined when the token is no longer live.
 */
export async function configurableTenants(pool: Pool, claims: PlatformClaims): Promise<string[] | undefined> {
  const row = await findApiClientCredentials(pool, claims.client_id);
  if (!row || !row.has_live_tenant) return undefined;
  const tenants = claims.tenants ?? [];
  if (tenants.includes('*')) return row.tenant_ids;
  const scoped = tenants.filter((t) => row.tenant_ids.includes(t));
  return tenants.length > 0 && scoped.length === 0 ? undefined : scoped;
}
