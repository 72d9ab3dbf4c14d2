import { Router, type Request } from 'express';
import {
  addApiClientAdministrator,
  addApiClientTenant,
  findApiClient,
  isApiClientAdministrator,
  removeApiClientAdministrator,
  removeApiClientTenant,
  isTenantArchived,
  updateApiClientTenant,
} from '../../db/api-clients';
import { isAutomationClient } from '../../db/automation-users';
import { insertSecurityEvent, type SecurityEventName } from '../../db/security-events';
import { isUniqueViolation } from '../../db/errors';
import { clientAccountTypes, resolveTenantId, tenantAccountType } from '../../db/tenants';
import { administersTenant } from '../../db/tenant-administrators';
import { withTransaction } from '../../db/transaction';
import { findUserByEmail } from '../../db/users';
import { authenticate, callerOf } from '../auth';
import {
  AddApiClientTenantBody,
  ApiClientAdministratorBody,
  ApiClientTenantParams,
  AuditReasonQuery,
  RotateSecretBody,
  UpdateApiClientTenantBody,
} from '../api-client-schemas';
import { rotateClientSecret } from '../use-cases/rotate-client-secret';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, forbidden, HttpProblem, notFound } from '../problem';
import { parse } from '../schemas';

/**
 * API client administration (the OAuth clients /oauth/token knows). Administrators are gangway users
 * named on the client; staff and admins act on a customer's behalf. Every change answers with the
 * client as it now is.
 */
export function apiClientRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticate(deps.tokens);

  async function administeredApiClient(req: Request): Promise<string> {
    const caller = callerOf(req);
    const clientId = String(req.params.clientId);
    if (!(await findApiClient(deps.pool, clientId))) throw notFound(`no active client ${clientId}`);
    const onBehalf = caller.role === 'staff' || caller.role === 'admin';
    if (!onBehalf && !(await isApiClientAdministrator(deps.pool, clientId, caller.email)))
      throw forbidden(`only the administrators of ${clientId} may manage it`);
    return clientId;
  }
  const tenantParam = (req: Request) => {
    const parsed = ApiClientTenantParams.safeParse(req.params);
    if (!parsed.success) throw notFound('that tenant is not on this client');
    return parsed.data.tenantId;
  };
  const current = async (clientId: string) => (await findApiClient(deps.pool, clientId))!;
  const audit = (req: Request, event: SecurityEventName, clientId: string, reason?: string, detail = {}) =>
    insertSecurityEvent(deps.pool, { event, actor: callerOf(req).email, subject: clientId, reason, detail });
  const queryReason = (req: Request) => parse(AuditReasonQuery, req.query).reason;

  router.get('/v1/clients/:clientId', auth, async (req, res) => {
    res.json(await current(await administeredApiClient(req)));
  });

  router.post('/v1/clients/:clientId/rotate-secret', auth, async (req, res) => {
    const clientId = await administeredApiClient(req);
    const body = parse(RotateSecretBody, req.body);
    res.status(202).json(await rotateClientSecret(deps, { caller: callerOf(req), clientId, ...body }));
  });

  // Attaching a tenant hands its data to whoever holds the client's secret: admins may attach any live tenant,
  // anyone else only a tenant they administer (db/tenant-administrators.ts), even when acting on a customer's behalf.
  router.post('/v1/clients/:clientId/tenants', auth, async (req, res) => {
    const clientId = await administeredApiClient(req);
    const caller = callerOf(req);
    const body = parse(AddApiClientTenantBody, req.body);
    if (await isAutomationClient(deps.pool, clientId))
      throw conflict(`${clientId} is an automation user's client: it serves the tenants granted to its user`);
    const tenantId = await resolveTenantId(deps.pool, body.tenant);
    // Not an admin: an unknown tenant is refused like one of someone else's, so the answer tells no one what exists.
    if (caller.role !== 'admin' && !(tenantId && (await administersTenant(deps.pool, caller, tenantId))))
      throw forbidden(
        `you do not administer tenant ${body.tenant}: only its client's administrators (or, while it is on no client, whoever onboarded it and its home client's administrators) may add it, or an admin`,
      );
    if (!tenantId) throw badRequest('Unknown tenant', [{ path: 'tenant', message: `no tenant ${body.tenant}` }]);
    if (await isTenantArchived(deps.pool, tenantId)) throw conflict(`tenant ${body.tenant} is archived`);
    const type = await tenantAccountType(deps.pool, tenantId);
    if ((await clientAccountTypes(deps.pool, clientId)).some((t) => t !== type))
      throw conflict(`tenant ${body.tenant} is a ${type} account: test and production never share a client`);
    try {
      await addApiClientTenant(deps.pool, clientId, tenantId, body);
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict(`tenant ${body.tenant} is already assigned to a client: a tenant is on at most one`);
      throw err;
    }
    await audit(req, 'client_tenant_added', clientId, body.reason, { tenantId });
    res.status(201).json(await current(clientId));
  });

  router.patch('/v1/clients/:clientId/tenants/:tenantId', auth, async (req, res) => {
    const clientId = await administeredApiClient(req);
    const body = parse(UpdateApiClientTenantBody, req.body);
    if (!(await updateApiClientTenant(deps.pool, clientId, tenantParam(req), body)))
      throw notFound('that tenant is not on this client');
    await audit(req, 'client_tenant_updated', clientId, body.reason, {
      tenantId: tenantParam(req),
      enabled: body.enabled,
      notificationEmails: body.notificationEmails,
    });
    res.json(await current(clientId));
  });

  router.delete('/v1/clients/:clientId/tenants/:tenantId', auth, async (req, res) => {
    const clientId = await administeredApiClient(req);
    const reason = queryReason(req);
    if (!(await removeApiClientTenant(deps.pool, clientId, tenantParam(req))))
      throw notFound('that tenant is not on this client');
    await audit(req, 'client_tenant_removed', clientId, reason, { tenantId: tenantParam(req) });
    res.json(await current(clientId));
  });

  router.post('/v1/clients/:clientId/administrators', auth, async (req, res) => {
    const clientId = await administeredApiClient(req);
    const { email, reason } = parse(ApiClientAdministratorBody, req.body);
    const user = await findUserByEmail(deps.pool, email);
    // TecCom: the email is looked up; found, the person shows with first and last name, else "user not found".
    if (!user) throw userNotFound(email);
    await addApiClientAdministrator(deps.pool, clientId, email);
    await audit(req, 'client_administrator_added', clientId, reason, { email });
    const client = await current(clientId);
    const administrator = client.administrators.find((a) => a.email === user.email.toLowerCase());
    res.status(201).json({ ...client, administrator });
  });

  router.delete('/v1/clients/:clientId/administrators/:email', auth, async (req, res) => {
    const clientId = await administeredApiClient(req);
    const reason = queryReason(req);
    const outcome = await withTransaction(deps.pool, (tx) =>
      removeApiClientAdministrator(tx, clientId, String(req.params.email)),
    );
    if (outcome === 'absent') throw notFound(`${String(req.params.email)} is not an administrator of ${clientId}`);
    if (outcome === 'last')
      throw conflict('A client needs at least one administrator: add another before removing the last one');
    await audit(req, 'client_administrator_removed', clientId, reason, { email: String(req.params.email) });
    res.json(await current(clientId));
  });

  return router;
}

const userNotFound = (email: string) =>
  new HttpProblem(
    404,
    'User not found',
    `No gangway user has the email ${email}: a client administrator must be registered first (gangway users add)`,
  );
