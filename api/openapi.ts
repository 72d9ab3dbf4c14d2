import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { registerOnboardingActionPaths } from './openapi-actions';
import { registerApiUserPaths } from './openapi-api-users';
import { registerAdministrationPaths } from './openapi-admin';
import { registerCatalogPaths } from './openapi-catalog';
import { registerConsolePaths } from './openapi-console';
import { registerWebhookPaths } from './openapi-webhooks';
import { body, CUSTOMER_BEARER, json, problems, secured, STAFF_BEARER } from './openapi-parts';
import {
  ApprovalsQuery,
  CancelBody,
  CodecBody,
  CollectBody,
  DecisionBody,
  ExpandOnboardingBody,
  ListOnboardingsQuery,
  ListTenantsQuery,
  LoginBody,
  LogoutBody,
  OffboardBody,
  ReassignBody,
  RefreshBody,
  StartOnboardingBody,
} from './schemas';

/** The OpenAPI 3.1 document, generated from the same schemas that validate requests. */
export function buildOpenApiDocument(serverUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', STAFF_BEARER, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  const basic = registry.registerComponent('securitySchemes', 'clientBasic', { type: 'http', scheme: 'basic' });
  const id = z.object({ id: z.uuid() });
  const token = z.object({ token: z.string() });
  const EmbedOriginQuery = z.object({
    embedOrigin: z.string().optional().openapi({
      description:
        "PortalDuct's embedded collector: the origin of the partner page framing the collector, one of the tenant's embed.allowedOrigins",
    }),
  });
  const embedding =
    "With ?embedOrigin=<origin> in the tenant's embed.allowedOrigins, the page may be framed by that origin alone (CSP frame-ancestors <origin>), and tells it the outcome with window.parent.postMessage({type: 'gangway.collector', outcome: 'SUBMITTED' | 'LINK_GONE', client: <the client's partnerProvidedId>}, <origin>).";

  registry.registerPath({
    method: 'post',
    path: '/v1/login',
    summary: 'Log in; returns an access and a refresh token',
    request: body(LoginBody),
    responses: { 200: json('Token pair'), ...problems(400, 401, 429) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/token/refresh',
    summary: 'Exchange a refresh token (single use) for the next pair of its family',
    description:
      'A spent token presented again revokes its whole family (reuse detection); a family ends SESSION_MAX_LIFETIME after its login.',
    request: body(RefreshBody),
    responses: { 200: json('Token pair'), ...problems(401, 429) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/logout',
    summary: "Log out: the refresh token's family stops working",
    request: body(LogoutBody),
    responses: { 204: { description: 'Logged out' }, ...problems(400, 429) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/users',
    summary: 'The people who use gangway (admin)',
    security: secured,
    responses: {
      200: json('{items: [{id, email, firstName, lastName, role, approverKind, disabledAt, createdAt}]}'),
      ...problems(401, 403),
    },
  });
  for (const action of ['disable', 'enable'] as const)
    registry.registerPath({
      method: 'post',
      path: `/v1/users/{id}/${action}`,
      summary:
        action === 'disable'
          ? 'Disable a user (admin): no login, their refresh tokens and access tokens stop at once'
          : 'Enable a disabled user again (admin)',
      security: secured,
      request: { params: id },
      responses: { 200: json('The user'), ...problems(401, 403, 404) },
    });
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings',
    summary:
      'Start an onboarding, or an expansion of a live customer (staff, admin). testMode: validate and return the plan, starting nothing',
    description:
      'Every problem is reported at once (400, errors[]), including: tenant.plan must be TRADE for API subscriptions; integrationUser.email must not be in STAFF_EMAIL_DOMAINS nor a staff account; integrationSystem "Other" needs integrationSystemName; a plain CONTROL_TOWER is refused. scope AUTOMATION is admin-only (403). A testMode dry run with problems answers 400 with the plan beside the errors. A first onboarding of a tenant that is live is 409 naming it. ' +
      'An expansion (body ExpandOnboarding: tenant {partnerProvidedId, existing: true} or tenantId, with subscriptions and/or clients) reuses the live tenant, integration user and API client (CREATE_TENANT, CREATE_INTEGRATION_USER, ISSUE_CLIENT_CREDENTIALS SKIPPED), approves and assigns only the subscriptions given, collects only the clients given, and tells the customer what was added instead of issuing a new secret; 404 for an unknown tenant, 409 for an archived one, one being offboarded, or a subscription it already holds. ' +
      'A start Temporal could not confirm is 503; sent again with the same Idempotency-Key it gets the first attempt’s 202 (with its webhookSecret) if that attempt started the workflow, or starts afresh if it did not (503 again while Temporal cannot say).',
    security: secured,
    request: { ...body(StartOnboardingBody), headers: z.object({ 'Idempotency-Key': z.string().optional() }) },
    responses: {
      202: {
        ...json('Started: {id, workflowId, status, links, webhookSecret?}'),
        headers: {
          'Server-Timing': {
            description: 'Where the start spent its time: checks, insert, temporal (and idempotency), in ms',
            schema: { type: 'string' as const },
          },
        },
      },
      200: json('testMode: the plan'),
      ...problems(400, 401, 403, 409, 422, 503),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/onboardings',
    summary: 'List onboardings, newest first, cursor-paged (staff, admin)',
    security: secured,
    request: { query: ListOnboardingsQuery },
    responses: { 200: json('{items, nextCursor}'), ...problems(400, 401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/onboardings/{id}',
    summary: 'The onboarding view (staff, admin, its approvers)',
    description:
      'kit: {openedAt, passwordSetAt}, null until the customer opened the kit and set the integration user’s password.',
    security: secured,
    request: { params: id },
    responses: { 200: json('Onboarding view'), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings/{id}/approvals',
    summary: 'Decide one requested subscription (its assigned approver or their delegate)',
    security: secured,
    request: { params: id, ...body(DecisionBody), headers: z.object({ 'Idempotency-Key': z.string().optional() }) },
    responses: { 200: json('The approval'), ...problems(400, 403, 404, 409) },
  });
  const updateKey = {
    headers: z.object({
      'Idempotency-Key': z
        .string()
        .optional()
        .openapi({ description: 'Used as the Temporal update id: a retried request returns the first outcome' }),
    }),
  };
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings/{id}/reassignments',
    summary: "Give one subscription's approval task to another approver, with a reason (admin)",
    security: secured,
    request: { params: id, ...body(ReassignBody), ...updateKey },
    responses: { 200: json('The approval'), ...problems(400, 403, 404, 409) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings/{id}/delegations',
    summary: 'Let another approver decide in your place, with a reason (the assigned approver)',
    security: secured,
    request: { params: id, ...body(ReassignBody), ...updateKey },
    responses: { 200: json('The approval'), ...problems(400, 403, 404, 409) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/onboardings/{id}/audit',
    summary:
      'The audit trail: every assignment, decision, delegation, reassignment, reminder, escalation, expiry and status change, oldest first',
    security: secured,
    request: { params: id },
    responses: {
      200: json('{onboardingId, items: [{occurredAt, actor, action, subscription, reason, detail}]}'),
      ...problems(401, 403, 404),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/inbox',
    summary:
      'The approver inbox: pending tasks with what they are about; approve, reject (confirmed), delegate; what I decided. #task-{onboardingId}-{subscription} opens one task',
    responses: { 200: { description: 'HTML page' } },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/onboardings/{id}/cancel',
    summary: 'Cancel; the onboarding undoes what it created and ends CANCELLED',
    security: secured,
    request: { params: id, ...body(CancelBody) },
    responses: { 202: json('Cancellation requested'), ...problems(400, 404, 409) },
  });
  registry.register('ExpandOnboarding', ExpandOnboardingBody);
  registry.registerPath({
    method: 'post',
    path: '/v1/tenants/{identifier}/offboard',
    summary:
      'Offboard a live customer (staff, admin): a durable workflow; a second request while it runs answers the same one',
    description:
      'Steps: REFUSE_TOKENS (the API client disabled: no new tokens, issued ones refused), CANCEL_OPEN_ONBOARDING (an open onboarding cancelled with its compensation, and awaited), STOP_REVERIFICATION, REVOKE_CLIENT_SECRET, DISABLE_INTEGRATION_USER, UNASSIGN_SUBSCRIPTIONS, ERASE_PORTAL_CREDENTIALS, NOTIFY_CUSTOMER (mail and a tenant.offboarded webhook), ARCHIVE_TENANT. identifier: tenantId or partnerProvidedId.',
    security: secured,
    request: { params: z.object({ identifier: z.string() }), ...body(OffboardBody) },
    responses: {
      202: json('{id, workflowId, status, links}'),
      ...problems(400, 401, 403, 404, 409),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/offboardings/{id}',
    summary:
      'An offboarding: {id, workflowId, status RUNNING|COMPLETED|FAILED, tenant, reason, requestedBy, failure, steps} (staff, admin)',
    security: secured,
    request: { params: id },
    responses: { 200: json('The offboarding view'), ...problems(401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/tenants',
    summary: 'Customers, newest first, cursor-paged, with apiAccess, subscriptions and clientId (staff, admin)',
    security: secured,
    request: { query: ListTenantsQuery },
    responses: { 200: json('{items, nextCursor}'), ...problems(400, 401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/approvals',
    summary: "The caller's approval tasks (approver), or with scope=decided the tasks they decided",
    description:
      'Each task carries what it is about: tenant (with plan), requestedSubscriptions, invoiceDataAccess, requestedBy, stages and decisions, delegateEmail, escalatesAt and expiresAt (from the approval policy configured now).',
    security: secured,
    request: { query: ApprovalsQuery },
    responses: { 200: json('{items}'), ...problems(401, 403) },
  });
  registry.registerPath({
    method: 'get',
    path: '/collect/{token}',
    summary: 'HTML form for a client to submit portal credentials',
    description: `The mailed link: framed by nobody (frame-ancestors 'none'). ${embedding}`,
    request: { params: token, query: EmbedOriginQuery },
    responses: {
      200: { description: 'HTML form' },
      400: { description: 'HTML page: embedOrigin is not an origin' },
      403: { description: "HTML page: embedOrigin is not in the tenant's embed.allowedOrigins (framed by nobody)" },
      410: { description: 'Used or expired link (framed: posts LINK_GONE)' },
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/collect/{token}',
    summary: 'Submit portal credentials (single use)',
    description: `A form post from the page gets an HTML answer (framed: it posts SUBMITTED or LINK_GONE), anything else JSON. An embedOrigin the tenant does not allow is refused (400/403) before the link is spent.`,
    request: { params: token, query: EmbedOriginQuery, ...body(CollectBody) },
    responses: { 202: json('Received'), ...problems(400, 403, 410) },
  });
  registry.registerPath({
    method: 'get',
    path: '/kit/{token}',
    summary:
      'The page a kit mail links to: a Reveal button that posts to /v1/kits/{token}; opening it consumes nothing',
    request: { params: token },
    responses: { 200: { description: 'HTML page' }, 410: { description: 'HTML page: the link is used or expired' } },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/kits/{token}',
    summary: 'Reveal the integration kit (or a rotated client secret), exactly once; then 410',
    request: { params: token },
    responses: {
      200: json('{clientId, clientSecret, username, setPasswordUrl, developerPortalUrl, subscriptions}'),
      ...problems(410, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/kits/{token}',
    summary: 'Never opens a kit (mail scanners GET and HEAD links): 405 with Allow: POST',
    request: { params: token },
    responses: { ...problems(405) },
  });
  registry.registerPath({
    method: 'post',
    path: '/oauth/token',
    summary: 'OAuth 2.0 token endpoint: client_credentials (RFC 6749 §4.4) or password (§4.3)',
    security: [{ [basic.name]: [] }],
    request: {
      body: {
        content: {
          'application/x-www-form-urlencoded': {
            schema: z.object({
              grant_type: z.enum(['client_credentials', 'password']),
              username: z.string().optional(),
              password: z.string().optional(),
            }),
          },
        },
      },
    },
    responses: {
      200: json('{access_token, token_type, expires_in, scope}'),
      400: json('{error: invalid_grant | unsupported_grant_type}'),
      401: json('{error: invalid_client}'),
    },
  });
  for (const operation of ['encode', 'decode']) {
    registry.registerPath({
      method: 'post',
      path: `/codec/${operation}`,
      summary: `Temporal codec server: ${operation} payloads (staff, admin; with CODEC_OIDC_*, an identity provider access token)`,
      security: secured,
      request: body(CodecBody),
      responses: { 200: json('{payloads}'), ...problems(400, 401, 403) },
    });
  }
  registry.registerComponent('securitySchemes', CUSTOMER_BEARER, {
    type: 'http',
    scheme: 'bearer',
    description: 'access_token from /oauth/token',
  });
  registerOnboardingActionPaths(registry);
  registerConsolePaths(registry);
  registerAdministrationPaths(registry);
  registerWebhookPaths(registry);
  registerApiUserPaths(registry);
  registerCatalogPaths(registry);
  for (const [path, summary] of [
    ['/healthz', 'Liveness'],
    ['/readyz', 'Readiness: PostgreSQL and Temporal'],
    ['/metrics', 'Prometheus metrics'],
  ] as const) {
    registry.registerPath({
      method: 'get',
      path,
      summary,
      responses: { 200: { description: summary }, 503: { description: 'Not ready' } },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'gangway',
      version: '0.1.0',
      description: 'Durable onboarding of B2B customers onto an API integration. Errors are application/problem+json.',
    },
    servers: [{ url: serverUrl }],
  });
}
