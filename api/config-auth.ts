import type { Request, RequestHandler } from 'express';
import { clientOrchestrationId, staffOrchestrationId } from '../domain';
import { bearerToken, type Caller } from './auth';
import { configurableTenants, verifyCustomerToken } from './customer-tokens';
import type { ApiDeps } from './deps';
import { forbidden, notFound, unauthorized } from './problem';

/**
 * Who calls the tenant configuration API: staff (a /v1/login access token, role staff or admin) or a customer's
 * own systems (a /oauth/token access token), the latter only for the tenants its API client serves.
 */
export type ConfigPrincipal =
  { kind: 'staff'; caller: Caller } | { kind: 'customer'; clientId: string; tenantIds: string[] };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: ConfigPrincipal;
  }
}

const STAFF_ROLES = ['staff', 'admin'];

/** Accepts either kind of bearer token; each is signed with its own key for its own audience. */
export function authenticateConfigCaller(deps: Pick<ApiDeps, 'tokens' | 'secrets' | 'pool'>): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req);
    const caller = token ? deps.tokens.verify(token) : undefined;
    if (caller) {
      if (!(await deps.tokens.isActive(caller.id))) return next(unauthorized('This user is disabled'));
      if (!STAFF_ROLES.includes(caller.role)) return next(forbidden(`This needs one of the roles: staff, admin`));
      req.caller = caller;
      req.principal = { kind: 'staff', caller };
      return next();
    }
    const claims = token ? verifyCustomerToken(deps.secrets, token) : undefined;
    if (!claims) return next(unauthorized());
    // Checked on every request, as on the platform API: an offboarded or disabled client's tokens stop at once.
    const tenantIds = await configurableTenants(deps.pool, claims);
    if (!tenantIds) return next(unauthorized('This token’s client or tenant no longer has API access'));
    req.principal = { kind: 'customer', clientId: claims.client_id, tenantIds };
    next();
  };
}

/** Creating, deleting, archiving or reactivating tenants, and listing them all, stay with staff. */
export const staffOnly =
  (what: string): RequestHandler =>
  (req, _res, next) =>
    next(req.principal?.kind === 'customer' ? forbidden(`A customer system cannot ${what}`) : undefined);

/**
 * A customer's token reaches only its own tenants; any other is answered exactly as a tenant that does not
 * exist (404), so that a token learns nothing about other customers.
 */
export function assertTenantInScope(req: Request, tenantId: string | undefined, identifier: string): void {
  const p = req.principal;
  if (p?.kind === 'customer' && (!tenantId || !p.tenantIds.includes(tenantId)))
    throw notFound(`no tenant ${identifier}`);
}

/** Who orchestrates what this request makes: the staff member by email, or the customer's API client. */
export function orchestratorOf(req: Request): string {
  const p = req.principal;
  if (!p) throw unauthorized();
  return p.kind === 'staff' ? staffOrchestrationId(p.caller.email) : clientOrchestrationId(p.clientId);
}
