import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { answer, body, idempotencyKeyHeader, problems, secured } from './openapi-parts';
import { z } from 'zod';
import {
  AccessChange,
  AccessChangeAnswer,
  AccessChangeParams,
  AccessChangesQuery,
  AccessDecisionBody,
  ApiUser,
  ApiUserParams,
  AutomationUser,
  ChangeInvoiceAccessBody,
  CreateAutomationUserBody,
  CreatedAutomationUser,
} from './api-user-schemas';

/** Ongoing WMS API users: a tenant's list, invoice-data access changes and their approval, automation users. */
export function registerApiUserPaths(registry: OpenAPIRegistry): void {
  const tenant = z.object({ identifier: z.string().openapi({ description: 'tenantId or partnerProvidedId' }) });
  registry.registerPath({
    method: 'get',
    path: '/v1/tenants/{identifier}/api-users',
    summary: 'The tenant’s API users (integration users), oldest first, never a secret (staff, admin)',
    security: secured,
    request: { params: tenant },
    responses: {
      200: answer('{tenantId, items}', z.object({ tenantId: z.string(), items: z.array(ApiUser) })),
      ...problems(401, 403, 404),
    },
  });
  registry.registerPath({
    method: 'patch',
    path: '/v1/tenants/{identifier}/api-users/{username}',
    summary: 'Change an API user’s invoice data access (staff, admin)',
    description:
      'The current value again: 200 with change null. Narrowing (true→false): applied at once, 200. Widening (false→true): 202 with the PENDING change, applied only when its approver (approverEmail, else the tenant’s accountManagerEmail) approves; a rejection or expiry leaves the access as it was. A second pending widening of the user is 409 with pendingChange. Tokens issued after the change carry (or lack) the invoice scopes. Every change is kept with who asked, from, to and who decided (…/access-changes).',
    security: secured,
    request: { params: ApiUserParams, headers: idempotencyKeyHeader, ...body(ChangeInvoiceAccessBody) },
    responses: {
      200: answer('Applied at once, or nothing to change', AccessChangeAnswer),
      202: answer('Waiting for the approver', AccessChangeAnswer),
      ...problems(400, 401, 403, 404, 409, 410, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tenants/{identifier}/api-users/{username}/access-changes',
    summary: 'Every change of the API user’s access, newest first: its audit (staff, admin)',
    security: secured,
    request: { params: ApiUserParams },
    responses: {
      200: answer('{username, items}', z.object({ username: z.string(), items: z.array(AccessChange) })),
      ...problems(401, 403, 404),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/access-changes',
    summary: 'The access widenings assigned to the caller, oldest first (approver, admin)',
    security: secured,
    request: { query: AccessChangesQuery },
    responses: {
      200: answer('{items}', z.object({ items: z.array(AccessChange) })),
      ...problems(400, 401, 403),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/access-changes/{id}',
    summary: 'One access change (staff, admin, its approver)',
    security: secured,
    request: { params: AccessChangeParams },
    responses: { 200: answer('The change', AccessChange), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/access-changes/{id}/approvals',
    summary: 'Decide a pending widening (its approver)',
    description:
      'The rules of onboarding approvals: only the assigned approver decides (403), never the one who asked (403); repeating one’s decision answers the change again (200), another answer or a decided or expired change is 409. APPROVE answers once the access is changed. The Idempotency-Key header is the Update id.',
    security: secured,
    request: { params: AccessChangeParams, headers: idempotencyKeyHeader, ...body(AccessDecisionBody) },
    responses: {
      200: answer('The change, decided', AccessChange),
      ...problems(400, 401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/automation-users',
    summary: 'Create an automation user with its own API client; the secret is answered this once (admin)',
    description:
      'Ongoing WMS "API for automation": a user of scope AUTOMATION under no tenant. Its client_credentials tokens serve exactly the granted tenants (tenants claim: their ids), or every tenant with allTenants (tenants claim: ["*"]); the scope holds those tenants’ subscriptions, invoice scopes only with invoiceDataAccess. Grants mixing TEST and PRODUCTION tenants are 409; the same name again is 409.',
    security: secured,
    request: { headers: idempotencyKeyHeader, ...body(CreateAutomationUserBody) },
    responses: {
      201: answer('The user with its client id and secret', CreatedAutomationUser),
      ...problems(400, 401, 403, 409, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/automation-users',
    summary: 'The automation users with their grants, never a secret (admin)',
    security: secured,
    responses: {
      200: answer('{items}', z.object({ items: z.array(AutomationUser) })),
      ...problems(401, 403),
    },
  });
}
