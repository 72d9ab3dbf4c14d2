import { Router, type Request } from 'express';
import { findPendingAccessChange, listAccessChangesOfUser } from '../../db/access-changes';
import { findTenantApiUser, listTenantApiUsers, type ApiUserRow } from '../../db/integration-users';
import { findTenantVersion, resolveTenantId, type TenantView } from '../../db/tenants';
import { ChangeInvoiceAccessBody } from '../api-user-schemas';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { idempotent } from '../idempotent';
import { gone, notFound } from '../problem';
import { parse } from '../schemas';
import { changeInvoiceAccess } from '../use-cases/change-invoice-access';
import { idempotencyKey } from './onboardings';

/**
 * A tenant's API users (Ongoing WMS "API for goods owners"): the list, and the change of one user's invoice
 * data access with its history. Staff and admins; no secret is ever part of an answer.
 */
export function apiUserRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('staff', 'admin')];

  async function tenantOf(req: Request): Promise<TenantView> {
    const identifier = String(req.params.identifier);
    const tenantId = await resolveTenantId(deps.pool, identifier);
    const tenant = tenantId && (await findTenantVersion(deps.pool, tenantId));
    if (!tenant) throw notFound(`no tenant ${identifier}`);
    return tenant;
  }
  async function userOf(req: Request, tenant: TenantView): Promise<ApiUserRow> {
    const user = await findTenantApiUser(deps.pool, tenant.tenantId, String(req.params.username));
    if (!user) throw notFound(`tenant ${String(req.params.identifier)} has no API user ${String(req.params.username)}`);
    return user;
  }
  const view = async (user: ApiUserRow) => apiUserView(user, (await findPendingAccessChange(deps.pool, user.id))?.id);

  router.get('/v1/tenants/:identifier/api-users', ...guard, async (req, res) => {
    const tenant = await tenantOf(req);
    const users = await listTenantApiUsers(deps.pool, tenant.tenantId);
    res.json({ tenantId: tenant.tenantId, items: await Promise.all(users.map(view)) });
  });

  router.patch('/v1/tenants/:identifier/api-users/:username', ...guard, async (req, res) => {
    const caller = callerOf(req);
    const tenant = await tenantOf(req);
    const user = await userOf(req, tenant);
    const body = parse(ChangeInvoiceAccessBody, req.body);
    if (tenant.archived) throw gone(`tenant ${String(req.params.identifier)} is archived`);
    const answer = await idempotent(
      deps,
      {
        caller,
        key: idempotencyKey(req),
        route: `PATCH /v1/tenants/${tenant.tenantId}/api-users/${user.username}`,
        body,
      },
      async () => {
        const { status, change } = await changeInvoiceAccess(deps, {
          caller,
          tenant: {
            tenantId: tenant.tenantId,
            partnerProvidedId: String(tenant.partnerProvidedId),
            name: String(tenant.name),
            accountManagerEmail: tenant.accountManagerEmail,
          },
          user,
          body,
        });
        return {
          status,
          body: { user: await view((await findTenantApiUser(deps.pool, tenant.tenantId, user.username))!), change },
        };
      },
    );
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/tenants/:identifier/api-users/:username/access-changes', ...guard, async (req, res) => {
    const user = await userOf(req, await tenantOf(req));
    res.json({ username: user.username, items: await listAccessChangesOfUser(deps.pool, user.id) });
  });

  return router;
}

export const apiUserView = (row: ApiUserRow, pendingChange?: string) => ({
  username: row.username,
  email: row.email,
  integrationSystem: row.integration_system,
  scope: row.scope,
  invoiceDataAccess: row.invoice_data_access,
  status: row.disabled_at ? ('disabled' as const) : ('active' as const),
  createdAt: row.created_at.toISOString(),
  clientId: row.client_id,
  pendingChange: pendingChange ?? null,
});
