import { findLiveApiClientIdOfTenant } from '../../db/api-clients';
import { findLiveIntegrationUserOfTenant } from '../../db/integration-users';
import { findRunningOffboarding } from '../../db/offboardings';
import { listAssignedCodes } from '../../db/subscriptions';
import { findTenantVersion, resolveTenantId, type TenantView } from '../../db/tenants';
import { API_PLAN, type ExpansionTarget } from '../../domain';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../problem';
import { ExpandOnboardingBody, type StartOnboardingBody } from '../schemas';
import { approverCheck, egressProblems, type FieldProblem } from './start-checks';

/** A valid expansion: the start body the workflow runs (the tenant and user as stored) and what it reuses. */
export interface CheckedExpansion {
  body?: StartOnboardingBody;
  approverEmail?: string;
  expansion?: ExpansionTarget;
  problems: FieldProblem[];
}

/**
 * The start rules of an expansion of a live customer. Field problems come back together (400); the
 * customer itself is then checked: unknown 404; archived, being offboarded, without a user and API
 * client to reuse, or already holding a requested subscription 409. The approver rule and the policy
 * are the first onboarding's: the request's approverEmail, else the tenant's account manager.
 */
export async function expansionProblems(deps: ApiDeps, raw: unknown): Promise<CheckedExpansion> {
  const parsed = ExpandOnboardingBody.safeParse(raw ?? {});
  const problems: FieldProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
  problems.push(...(await egressProblems(deps, raw as Record<string, unknown>)));
  if (!parsed.success || problems.length > 0) return { problems };
  const request = parsed.data;

  const identifier = request.tenantId ?? request.tenant?.tenantId ?? request.tenant!.partnerProvidedId!;
  const tenant = await liveTenant(deps, identifier);
  const [user, clientId, held] = await Promise.all([
    findLiveIntegrationUserOfTenant(deps.pool, tenant.tenantId),
    findLiveApiClientIdOfTenant(deps.pool, tenant.tenantId),
    listAssignedCodes(deps.pool, tenant.tenantId),
  ]);
  if (!user || !clientId)
    throw conflict(`tenant ${identifier} has no live integration user and API client to reuse`, {
      tenantId: tenant.tenantId,
    });
  const already = request.subscriptions.filter((code) => held.includes(code));
  if (already.length > 0)
    throw conflict(`tenant ${identifier} already holds ${already.join(', ')}`, {
      tenantId: tenant.tenantId,
      subscriptions: held,
    });

  if (request.subscriptions.length > 0 && tenant.plan !== API_PLAN)
    problems.push({
      path: 'subscriptions',
      message: `API subscriptions need the ${API_PLAN} plan; this tenant has ${String(tenant.plan)}`,
    });
  const approver = await approverCheck(deps, { approverEmail: request.approverEmail }, tenant);
  problems.push(...approver.problems);
  if (problems.length > 0 || !approver.email) return { problems };

  const body: StartOnboardingBody = {
    tenant: tenantRequestOf(tenant),
    integrationUser: {
      email: user.email,
      integrationSystem: user.integration_system,
      scope: user.scope,
      invoiceDataAccess: user.invoice_data_access,
    },
    subscriptions: request.subscriptions,
    approverEmail: request.approverEmail,
    clients: request.clients,
    notify: request.notify,
    testMode: request.testMode,
  };
  return {
    body,
    approverEmail: approver.email,
    expansion: { tenantId: tenant.tenantId, username: user.username, clientId },
    problems: [],
  };
}

async function liveTenant(deps: ApiDeps, identifier: string): Promise<TenantView> {
  const tenantId = await resolveTenantId(deps.pool, identifier);
  const tenant = tenantId && (await findTenantVersion(deps.pool, tenantId));
  if (!tenant) throw notFound(`no tenant ${identifier}`);
  if (tenant.archived)
    throw conflict(`tenant ${identifier} is archived: a returning customer needs a first onboarding`, {
      tenantId: tenant.tenantId,
    });
  const offboarding = await findRunningOffboarding(deps.pool, tenant.tenantId);
  if (offboarding)
    throw conflict(`tenant ${identifier} is being offboarded`, {
      tenantId: tenant.tenantId,
      offboardingId: offboarding.id,
    });
  return tenant;
}

/** The stored tenant as the workflow's request names it (the approval mail, the workflow id). */
function tenantRequestOf(tenant: TenantView): StartOnboardingBody['tenant'] {
  const {
    tenantId: _id,
    version: _v,
    validFrom: _f,
    archived: _a,
    orchestratedAssetMetadata: _o,
    ...data
  } = tenant as TenantView & { orchestratedAssetMetadata?: unknown };
  return data as unknown as StartOnboardingBody['tenant'];
}
