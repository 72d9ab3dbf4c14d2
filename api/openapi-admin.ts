import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { body, json, platform, problems, secured } from './openapi-parts';
import { z } from 'zod';
import {
  AddApiClientTenantBody,
  ApiClientAdministratorBody,
  RotateSecretBody,
  UpdateApiClientTenantBody,
} from './api-client-schemas';
import { SetPasswordBody } from './schemas';
import {
  CreateOriginBody,
  CreateTenantBody,
  OriginIdentifier,
  PatchOriginBody,
  PatchTenantBody,
  TenantIdentifier,
  TenantReadQuery,
  testModeFlag,
} from './tenant-schemas';

/** Tenants (Shipium), client administration (TecCom), the set-password link and the invoice rule (Ongoing WMS). */
export function registerAdministrationPaths(registry: OpenAPIRegistry): void {
  const tenant = { params: TenantIdentifier };
  const versions =
    "Every write is a new version; the answer carries version, validFrom, archived, status (ACTIVE or ARCHIVED), href, and orchestratedAssetMetadata naming who made the tenant (an onboarding's workflow id, user:<email> or client:<clientId>) and when. " +
    'Each origin carries its server-assigned originId, href and tenantLinkReference {href, identifier, name}, the same in every version (ids given back keep what they name; otherwise an origin is matched by partnerProvidedId, a schedule entry by from, a carrier schedule by carrierId), orchestratedAssetMetadata on origins and schedule entries, scheduleConfigured, schedules each with status ACTIVE, UPCOMING or ENDED, and activeSchedule: the one whose window [from, to) covers now (or asOfDateTime), else null.';
  const customers =
    'Also open to a customer system with its own access token from /oauth/token, for the tenants its API client serves; any other tenant is 404, as if it did not exist.';
  const either = [...secured, ...platform];
  registry.registerPath({
    method: 'post',
    path: '/v1/tenants',
    summary: 'Create a tenant with its origins (staff, admin)',
    description: `${versions} testMode: 200 with what would be stored, nothing written (ids not yet assigned: null). A customer system's token is 403.`,
    security: secured,
    request: body(CreateTenantBody),
    responses: {
      201: json('The tenant, version 1'),
      200: json('testMode: what would be stored'),
      ...problems(400, 401, 403, 409),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tenants/{identifier}',
    summary: 'The latest tenant, or as it was at asOfDateTime (staff, admin, the customer)',
    description: `${versions} ${customers}`,
    security: either,
    request: { ...tenant, query: TenantReadQuery },
    responses: {
      200: json('The tenant version'),
      ...problems(400, 401, 403, 404, 410),
    },
  });
  registry.registerPath({
    method: 'patch',
    path: '/v1/tenants/{identifier}',
    summary: 'Change only the properties given; a new version (staff, admin, the customer)',
    description:
      `${versions} ${customers} A customer system may not change partnerProvidedId, plan, accountManagerEmail, accountType or status (403). ` +
      'status ARCHIVED archives as DELETE does; status ACTIVE reactivates an archived tenant (address it by tenantId), 409 when a live tenant has taken its partnerProvidedId meanwhile, or when it was offboarded (a returning customer is onboarded again); audited as a tenant_reactivated security event.',
    security: either,
    request: { ...tenant, ...body(PatchTenantBody) },
    responses: {
      200: json('The new version, or with testMode what it would be'),
      ...problems(400, 401, 403, 404, 409, 410),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/tenants/{identifier}',
    summary: 'Archive the tenant: answers the tenant as it was; earlier versions stay readable (staff, admin)',
    description:
      "A tenant that still has API access (a live API client, integration user or subscription) is refused with 409 pointing at POST /v1/tenants/{identifier}/offboard, which ends every access first. A customer system's token is 403.",
    security: secured,
    request: { ...tenant, ...body(z.object({ testMode: testModeFlag.optional() })) },
    responses: { 200: json('The tenant as it was'), ...problems(404, 409, 410) },
  });

  const origin = { params: OriginIdentifier };
  const originAnswer =
    'An origin: its fields, originId, href, tenantLinkReference, orchestratedAssetMetadata, scheduleConfigured, schedules (each with status) and activeSchedule.';
  registry.registerPath({
    method: 'get',
    path: '/v1/tenants/{identifier}/origins',
    summary: "The tenant's origins, now or at asOfDateTime (staff, admin, the customer)",
    description: `${originAnswer} ${customers}`,
    security: either,
    request: { ...tenant, query: TenantReadQuery },
    responses: { 200: json('{items: [origin]}'), ...problems(400, 401, 403, 404, 410) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/tenants/{identifier}/origins',
    summary: 'Add an origin with its schedules: a new version of the tenant (staff, admin, the customer)',
    description: `${originAnswer} ${customers} Its partnerProvidedId is its natural key: one the tenant has already is 409 with that originId. testMode: 200 with what would be stored.`,
    security: either,
    request: { ...tenant, ...body(CreateOriginBody) },
    responses: {
      201: json('The origin'),
      200: json('testMode: what would be stored'),
      ...problems(400, 401, 403, 404, 409, 410),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tenants/{identifier}/origins/{origin}',
    summary: 'One origin by originId or partnerProvidedId, now or at asOfDateTime (staff, admin, the customer)',
    description: `${originAnswer} ${customers}`,
    security: either,
    request: { ...origin, query: TenantReadQuery },
    responses: { 200: json('The origin'), ...problems(400, 401, 403, 404, 410) },
  });
  registry.registerPath({
    method: 'patch',
    path: '/v1/tenants/{identifier}/origins/{origin}',
    summary: 'Change only the properties of the origin given: a new version of the tenant (staff, admin, the customer)',
    description: `${originAnswer} ${customers} schedules, when given, replace the origin's list: an entry keeps its scheduleEntryId when given back or when its from is unchanged. A PATCH that changes nothing writes no version. testMode: 200 with what would be stored.`,
    security: either,
    request: { ...origin, ...body(PatchOriginBody) },
    responses: {
      200: json('The origin, or with testMode what it would be'),
      ...problems(400, 401, 403, 404, 409, 410),
    },
  });

  const apiClient = z.object({ clientId: z.string() });
  const admin = 'Client administrators (gangway users named on the client) or staff/admin on the customer’s behalf.';
  registry.registerPath({
    method: 'get',
    path: '/v1/clients/{clientId}',
    summary:
      'The client: id, administrators ({email, firstName, lastName}), tenants with their switch and notification emails',
    description: admin,
    security: secured,
    request: { params: apiClient },
    responses: { 200: json('The client'), ...problems(403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/clients/{clientId}/rotate-secret',
    summary:
      "Rotate the client secret: the new one is mailed to the customer's contacts as a one-time link, never answered; the old one works until previousSecretValidUntil (now with revokePrevious, else CLIENT_SECRET_GRACE)",
    description: `${admin} An audited security event with the caller and reason.`,
    security: secured,
    request: { params: apiClient, ...body(RotateSecretBody) },
    responses: {
      202: json('{clientId, status: SECRET_MAILED, deliveredTo, previousSecretValidUntil}'),
      ...problems(403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/clients/{clientId}/tenants',
    summary:
      'Add a tenant the caller administers (admins: any); a tenant is on at most one client and must not be archived: 409 otherwise',
    description: `${admin} Attaching a tenant hands its data to whoever holds the client secret, so a caller who is not an admin (staff too) may add only a tenant they administer: one on a client they administer, or one on no client that they started an onboarding of or whose onboarding issued a client they administer (docs/domain-rules.md, Client administrators). Otherwise 403 naming the tenant, nothing changed.`,
    security: secured,
    request: { params: apiClient, ...body(AddApiClientTenantBody) },
    responses: { 201: json('The client'), ...problems(400, 403, 409) },
  });
  const apiClientTenant = apiClient.extend({ tenantId: z.uuid() });
  registry.registerPath({
    method: 'patch',
    path: '/v1/clients/{clientId}/tenants/{tenantId}',
    summary: 'Enable or disable the tenant for requests; set its failure notification emails',
    description: admin,
    security: secured,
    request: { params: apiClientTenant, ...body(UpdateApiClientTenantBody) },
    responses: { 200: json('The client'), ...problems(400, 403, 404) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/clients/{clientId}/tenants/{tenantId}',
    summary: 'Remove a tenant from the client',
    description: admin,
    security: secured,
    request: { params: apiClientTenant },
    responses: { 200: json('The client'), ...problems(403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/clients/{clientId}/administrators',
    summary: 'Add an administrator (a registered gangway user), found by email',
    description: `${admin} The answer is the client, whose administrators are {email, firstName, lastName} (names null while the person has none), plus administrator: the person just added. An email no gangway user has is 404 "User not found", changing nothing.`,
    security: secured,
    request: { params: apiClient, ...body(ApiClientAdministratorBody) },
    responses: { 201: json('The client and the added administrator'), ...problems(400, 403, 404) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/clients/{clientId}/administrators/{email}',
    summary: 'Remove an administrator; removing the last one is 409',
    description: admin,
    security: secured,
    request: { params: apiClient.extend({ email: z.email() }) },
    responses: { 200: json('The client'), ...problems(403, 404, 409) },
  });

  const token = z.object({ token: z.string() });
  registry.registerPath({
    method: 'get',
    path: '/set-password/{token}',
    summary: "HTML form where the customer chooses the integration user's password (the kit's setPasswordUrl)",
    request: { params: token },
    responses: { 200: { description: 'HTML form' }, 410: { description: 'Used or expired link' } },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/set-password/{token}',
    summary: "Set the integration user's password (single use); then grant_type=password works at /oauth/token",
    request: { params: token, ...body(SetPasswordBody) },
    responses: { 200: json('{username, status}'), ...problems(400, 410) },
  });
  registry.registerPath({
    method: 'get',
    path: '/platform/v1/invoices',
    summary:
      'Invoice data: needs a token with an invoice scope (invoicing or control_tower_invoicing), which only integration users with invoiceDataAccess get',
    security: platform,
    responses: { 200: json('{items}'), ...problems(401, 403) },
  });
}
