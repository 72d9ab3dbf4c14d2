import { randomBytes } from 'node:crypto';
import { findAutomationUser, insertAutomationUser, type AutomationUserRow } from '../../db/automation-users';
import { isUniqueViolation } from '../../db/errors';
import { resolveTenantId, tenantAccountType } from '../../db/tenants';
import { isTenantArchived } from '../../db/api-clients';
import { withTransaction } from '../../db/transaction';
import { findUserByEmail } from '../../db/users';
import { deriveUsername, personalEmailProblem } from '../../domain';
import type { CreateAutomationUserBody } from '../api-user-schemas';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { badRequest, conflict } from '../problem';
import type { FieldProblem } from './start-checks';

/**
 * Ongoing WMS "API for automation": an automation user is created on its own, under no tenant, with an API
 * client of its own whose secret is answered this once (only its keyed hash is kept). Its tokens serve the
 * granted tenants (each live; all of one account type, since test and production never share credentials),
 * or every tenant. The username WSI_<NAME> is its natural key: a second user of that name is 409.
 */
export async function createAutomationUser(deps: ApiDeps, caller: Caller, body: CreateAutomationUserBody) {
  const problems: FieldProblem[] = [];
  const personal = personalEmailProblem(
    body.email,
    deps.config.staffEmailDomains,
    (await findUserByEmail(deps.pool, body.email)) !== undefined,
  );
  if (personal) problems.push({ path: 'email', message: personal });
  const tenantIds = await grantedTenants(deps, body.grants ?? [], problems);
  if (problems.length > 0)
    throw badRequest(
      `The automation user is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  const types = new Set(await Promise.all(tenantIds.map((id) => tenantAccountType(deps.pool, id))));
  if (types.size > 1)
    throw conflict('the grants mix TEST and PRODUCTION tenants: test and production never share a client');

  const username = deriveUsername(deps.config.usernamePrefix, body.name);
  const clientId = `gw_${randomBytes(12).toString('hex')}`;
  const clientSecret = deps.secrets.newToken();
  try {
    await withTransaction(deps.pool, (tx) =>
      insertAutomationUser(tx, {
        username,
        email: body.email,
        integrationSystem: body.integrationSystemName ?? body.integrationSystem,
        invoiceDataAccess: body.invoiceDataAccess,
        allTenants: body.allTenants === true,
        tenantIds,
        clientId,
        secretHash: deps.secrets.hashToken(clientSecret),
        administrator: caller.email,
        createdAt: new Date(),
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err, 'integration_users_username_key'))
      throw conflict(`an API user ${username} exists already: name the automation user differently`, { username });
    throw err;
  }
  return { ...automationUserView((await findAutomationUser(deps.pool, username))!), clientSecret };
}

/** Each grant names a live tenant; every unknown or archived one is reported, by its place in the list. */
async function grantedTenants(deps: ApiDeps, grants: string[], problems: FieldProblem[]): Promise<string[]> {
  const found = await Promise.all(
    grants.map(async (identifier) => {
      const tenantId = await resolveTenantId(deps.pool, identifier);
      const archived = tenantId !== undefined && (await isTenantArchived(deps.pool, tenantId));
      return { identifier, tenantId: archived ? undefined : tenantId, archived };
    }),
  );
  found.forEach(({ identifier, tenantId, archived }, i) => {
    if (!tenantId)
      problems.push({
        path: `grants.${i}`,
        message: archived ? `tenant ${identifier} is archived` : `no tenant ${identifier}`,
      });
  });
  const ids = found.flatMap((f) => (f.tenantId ? [f.tenantId] : []));
  if (new Set(ids).size !== ids.length) problems.push({ path: 'grants', message: 'a tenant is granted twice' });
  return ids;
}

export const automationUserView = (row: AutomationUserRow) => ({
  username: row.username,
  email: row.email,
  integrationSystem: row.integration_system,
  scope: 'AUTOMATION' as const,
  invoiceDataAccess: row.invoice_data_access,
  status: row.disabled_at ? ('disabled' as const) : ('active' as const),
  createdAt: row.created_at.toISOString(),
  clientId: row.client_id,
  allTenants: row.all_tenants,
  grants: row.grants,
});
