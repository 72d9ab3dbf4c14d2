import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  catalogIntegrationSystem,
  FINAL_STATUSES,
  INTEGRATION_SYSTEMS,
  INVOICING_ROLES,
  OPEN_STATUSES,
  OTHER_INTEGRATION_SYSTEM,
  SUBSCRIPTION_CODES,
} from '../domain';
import { email, partnerId, TenantFields, testModeFlag } from './tenant-schemas';

extendZodWithOpenApi(z);

/** One schema per body: it validates at the edge and is the OpenAPI document's source (api/openapi.ts). */

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

const SubscriptionCode = z
  .string()
  .superRefine((code, ctx) => {
    if (code === 'CONTROL_TOWER') {
      ctx.addIssue({
        code: 'custom',
        message: 'CONTROL_TOWER is two subscriptions: ask for CONTROL_TOWER_ORDERS or CONTROL_TOWER_INVOICING',
      });
    } else if (!(SUBSCRIPTION_CODES as readonly string[]).includes(code)) {
      ctx.addIssue({ code: 'custom', message: `unknown subscription; one of ${SUBSCRIPTION_CODES.join(', ')}` });
    }
  })
  .transform((code) => code as (typeof SUBSCRIPTION_CODES)[number])
  .openapi({ type: 'string', enum: [...SUBSCRIPTION_CODES] });

/** Ongoing WMS: the integration names its external system, from the catalog or "Other". */
export const IntegrationSystemField = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .superRefine((name, ctx) => {
    if (!catalogIntegrationSystem(name))
      ctx.addIssue({
        code: 'custom',
        message: `not in the catalog (GET /v1/catalog/integration-systems); pick "${OTHER_INTEGRATION_SYSTEM}" and name the system in integrationSystemName`,
      });
  })
  .transform((name) => catalogIntegrationSystem(name) ?? name)
  .openapi({
    type: 'string',
    enum: [...INTEGRATION_SYSTEMS],
    description: 'from GET /v1/catalog/integration-systems (any case); "Other" needs integrationSystemName',
  });

/** "Other" is not a system's name: the body names it in integrationSystemName. */
export function requireOtherSystemName(
  user: { integrationSystem: string; integrationSystemName?: string },
  ctx: z.RefinementCtx,
): void {
  if (user.integrationSystem.toLowerCase() === 'other' && !user.integrationSystemName) {
    ctx.addIssue({
      code: 'custom',
      path: ['integrationSystemName'],
      message: 'integrationSystem "Other" needs the system’s name here',
    });
  }
}

const IntegrationUser = z
  .object({
    email: email.openapi({
      description: 'a dedicated integration mailbox: not in a staff domain, not a staff account',
    }),
    integrationSystem: IntegrationSystemField,
    integrationSystemName: z.string().trim().min(1).max(100).optional(),
    scope: z
      .enum(['TENANT', 'AUTOMATION'])
      .default('TENANT')
      .openapi({ description: 'TENANT: this one tenant; AUTOMATION: every tenant, admins only' }),
    invoiceDataAccess: z
      .boolean()
      .default(false)
      .openapi({ description: 'false: tokens carry no invoice scope and invoice data is refused (403)' }),
  })
  .superRefine(requireOtherSystemName);

/** One of the customer's clients, whose portal credentials the onboarding collects (domain: PortalClientRequest). */
const PortalClient = z.object({
  partnerProvidedId: partnerId,
  name: z.string().trim().min(1).max(200),
  contactEmail: email,
  portalUrl: httpUrl,
});

export const StartOnboardingBody = z
  .object({
    tenant: TenantFields,
    integrationUser: IntegrationUser,
    subscriptions: z.array(SubscriptionCode).min(1).max(SUBSCRIPTION_CODES.length),
    subscriptionRoles: z
      .object({ INVOICING: z.enum(INVOICING_ROLES) })
      .partial()
      .strict()
      .optional()
      .openapi({
        description:
          'ShipServ: the role per subscription that takes one. INVOICING: BUYER (imports invoices) or SUPPLIER (posts invoices); the token scope becomes invoicing:buyer or invoicing:supplier',
      }),
    approverEmail: email.optional(),
    clientAdministrators: z.array(email).min(1).max(20).optional().openapi({
      description: 'gangway users who administer the API client; default: the staff member who starts the onboarding',
    }),
    clients: z.array(PortalClient).max(100).default([]),
    notify: z.object({
      email,
      webhookUrl: httpUrl.optional(),
      sendCredentials: z.boolean().optional().openapi({
        description:
          'false: the kit is not mailed; staff hand it over with a reveal-once link from POST /v1/onboardings/{id}/kit-link (default true)',
      }),
    }),
    testMode: testModeFlag.openapi({
      description: 'true (or the string "true"): check every rule and answer with the plan, starting nothing',
    }),
  })
  .superRefine((body, ctx) => {
    const duplicates = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
    for (const code of Object.keys(body.subscriptionRoles ?? {}))
      if (!(body.subscriptions as string[]).includes(code))
        ctx.addIssue({
          code: 'custom',
          path: ['subscriptionRoles', code],
          message: `a role for ${code}, which is not requested`,
        });
    for (const code of duplicates(body.subscriptions))
      ctx.addIssue({ code: 'custom', path: ['subscriptions'], message: `${code} is listed twice` });
    for (const id of duplicates(body.clients.map((c) => c.partnerProvidedId))) {
      ctx.addIssue({ code: 'custom', path: ['clients'], message: `client ${id} is listed twice` });
    }
  })
  .openapi('StartOnboarding');
export type StartOnboardingBody = z.infer<typeof StartOnboardingBody>;

/**
 * An expansion of a live customer: the tenant by partnerProvidedId with existing: true, or by tenantId
 * (inside tenant or beside it). Its user and API client are reused, so neither is given; at least one
 * subscription or one client is added.
 */
export const ExpandOnboardingBody = z
  .object({
    tenantId: z.uuid().optional(),
    tenant: z
      .object({
        partnerProvidedId: partnerId.optional(),
        tenantId: z.uuid().optional(),
        existing: z.literal(true).optional(),
      })
      .optional(),
    subscriptions: z.array(SubscriptionCode).max(SUBSCRIPTION_CODES.length).default([]),
    approverEmail: email.optional(),
    clients: z.array(PortalClient).max(100).default([]),
    notify: z.object({ email, webhookUrl: httpUrl.optional() }),
    testMode: z.boolean().default(false),
  })
  .superRefine((body, ctx) => {
    if (!body.tenantId && !body.tenant?.tenantId && !(body.tenant?.partnerProvidedId && body.tenant.existing))
      ctx.addIssue({
        code: 'custom',
        path: ['tenant'],
        message: 'name the live customer: {partnerProvidedId, existing: true} or tenantId',
      });
    if (body.subscriptions.length === 0 && body.clients.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['subscriptions'],
        message: 'an expansion adds a subscription or a client',
      });
    const duplicates = (values: string[]) => values.filter((v, i) => values.indexOf(v) !== i);
    for (const code of duplicates(body.subscriptions))
      ctx.addIssue({ code: 'custom', path: ['subscriptions'], message: `${code} is listed twice` });
    for (const id of duplicates(body.clients.map((c) => c.partnerProvidedId)))
      ctx.addIssue({ code: 'custom', path: ['clients'], message: `client ${id} is listed twice` });
  })
  .openapi('ExpandOnboarding', {
    description: 'POST /v1/onboardings for a live customer: only what it does not have yet is added',
  });
export type ExpandOnboardingBody = z.infer<typeof ExpandOnboardingBody>;

const OnboardingStatus = z.enum([...OPEN_STATUSES, ...FINAL_STATUSES]);

const isoDateTime = z.iso.datetime({ offset: true, error: 'an ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z' });

/** A list's free-text filter (matched with ILIKE through db/like.ts), over the fields named. */
const freeText = (fields: string) =>
  z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ description: `free text: ${fields}` });

export const ListOnboardingsQuery = z
  .object({
    status: OnboardingStatus.optional(),
    startedBy: email.optional().openapi({ description: 'the staff member who started it' }),
    approver: email.optional().openapi({ description: 'an approver (or delegate) of one of its subscriptions' }),
    subscription: SubscriptionCode.optional().openapi({ description: 'onboardings that request this subscription' }),
    createdFrom: isoDateTime.optional().openapi({ description: 'started at or after' }),
    createdTo: isoDateTime.optional().openapi({ description: 'started before' }),
    q: freeText('tenant name, partnerProvidedId, onboarding id, workflow id, tenantId'),
    connectivity: z
      .enum(['PENDING', 'CONNECTED', 'FAILED'])
      .optional()
      .openapi({ description: 'onboardings with at least one client in this connectivity state' }),
    tenant: z.string().min(1).max(64).optional().openapi({ description: 'partnerProvidedId or tenantId' }),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .superRefine((query, ctx) => {
    if (query.createdFrom && query.createdTo && Date.parse(query.createdFrom) >= Date.parse(query.createdTo))
      ctx.addIssue({ code: 'custom', path: ['createdTo'], message: 'must be after createdFrom' });
  });

export const ListTenantsQuery = z.object({
  q: freeText('name, partnerProvidedId, tenantId'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
});

export const OffboardBody = z
  .object({ reason: z.string().trim().min(1).max(1000) })
  .openapi('Offboard', { description: 'Why the customer is taken off; kept in the offboarding and the audit log' });

export const DecisionBody = z
  .object({
    subscription: SubscriptionCode,
    decision: z.enum(['APPROVE', 'REJECT']),
    comment: z.string().max(2000).optional(),
  })
  .openapi('Decision');

export const ReassignBody = z
  .object({ subscription: SubscriptionCode, to: email, reason: z.string().trim().min(1).max(1000) })
  .openapi('Reassignment', {
    description: "Hand one subscription's approval task to another registered approver, saying why",
  });

export const CancelBody = z.object({ reason: z.string().trim().min(1).max(1000) }).openapi('Cancel');
export const LoginBody = z
  .object({ email: z.string().min(1).max(254), password: z.string().min(1).max(1024) })
  .openapi('Login');
export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(512) }).openapi('Refresh');
export const LogoutBody = z.object({ refreshToken: z.string().min(1).max(512) }).openapi('Logout');
export const UserIdParams = z.object({ id: z.uuid() });
export const CollectBody = z
  .object({ username: z.string().min(1).max(256), password: z.string().min(1).max(1024) })
  .openapi('PortalCredentials');
const base64 = z
  .string()
  .max(4_000_000)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
/** Temporal's codec server protocol: payloads in proto JSON form, bytes as base64. */
export const CodecBody = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
      .max(1000),
  })
  .openapi('CodecPayloads');
export const SetPasswordBody = z
  .object({ password: z.string().min(12, 'at least 12 characters').max(1024) })
  .openapi('SetPassword', { description: "The integration user's password, chosen by the customer" });
export const ApprovalsQuery = z.object({
  status: z
    .enum(['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'])
    .default('PENDING')
    .openapi({ description: 'the tasks assigned or delegated to the caller in this state (scope assigned)' }),
  scope: z.enum(['assigned', 'decided']).default('assigned').openapi({
    description:
      'assigned: tasks waiting on the caller; decided: every task the caller decided a stage of, latest first',
  }),
});
export const OnboardingStatsQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(366)
    .default(30)
    .openapi({ description: 'the window: this many UTC days, up to today' }),
});
/** Parses or throws the ZodError that the problem handler turns into a 400 naming each field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  return schema.parse(value ?? {});
}
