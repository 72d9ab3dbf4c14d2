import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { IntegrationSystemField, requireOtherSystemName } from './schemas';
import { email } from './tenant-schemas';

extendZodWithOpenApi(z);

/** Ongoing WMS API users: a tenant's list, invoice-data access changes, and automation users on their own. */

export const ApiUserParams = z.object({
  identifier: z.string().openapi({ description: 'tenantId or partnerProvidedId' }),
  username: z.string().openapi({ description: 'the API user’s username (WSI_…)' }),
});

export const ApiUser = z
  .object({
    username: z.string(),
    email: z.string(),
    integrationSystem: z.string(),
    scope: z.enum(['TENANT', 'AUTOMATION']),
    invoiceDataAccess: z.boolean(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.string(),
    clientId: z.string().nullable().openapi({ description: 'the API client the user’s systems authenticate with' }),
    pendingChange: z
      .string()
      .nullable()
      .openapi({ description: 'the id of a widening that waits for its approver (GET /v1/access-changes/{id})' }),
  })
  .openapi('ApiUser');

export const ChangeInvoiceAccessBody = z
  .object({
    invoiceDataAccess: z.boolean().openapi({
      description: 'false applies at once; true waits for an approver’s decision (202 with the pending change)',
    }),
    reason: z.string().trim().min(1).max(1000).optional(),
    approverEmail: email.optional().openapi({
      description: 'who decides a widening; default: the tenant’s accountManagerEmail (a registered approver)',
    }),
  })
  .strict()
  .openapi('InvoiceAccessChangeRequest');
export type ChangeInvoiceAccessBody = z.infer<typeof ChangeInvoiceAccessBody>;

const AccessApproval = z.object({
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED']),
  approverEmail: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  comment: z.string().nullable(),
  assignedAt: z.string(),
  escalatedTo: z.array(z.string()),
  remindersSent: z.number().int(),
});

export const AccessChange = z
  .object({
    id: z.string(),
    tenant: z.object({ tenantId: z.string(), partnerProvidedId: z.string(), name: z.string() }),
    username: z.string(),
    field: z.literal('invoiceDataAccess'),
    from: z.boolean(),
    to: z.boolean(),
    status: z.enum(['PENDING', 'APPLIED', 'REJECTED', 'EXPIRED', 'WITHDRAWN']),
    requestedBy: z.string(),
    requestedAt: z.string(),
    reason: z.string().nullable(),
    approval: AccessApproval.nullable().openapi({ description: 'null for a narrowing, which needs no approval' }),
    appliedAt: z.string().nullable(),
  })
  .openapi('AccessChange');

export const AccessChangeAnswer = z
  .object({ user: ApiUser, change: AccessChange.nullable().openapi({ description: 'null: nothing to change' }) })
  .openapi('AccessChangeAnswer');

export const AccessChangeParams = z.object({ id: z.string() });

export const AccessDecisionBody = z
  .object({ decision: z.enum(['APPROVE', 'REJECT']), comment: z.string().max(2000).optional() })
  .strict()
  .openapi('AccessChangeDecision');

export const AccessChangesQuery = z.object({
  status: z
    .enum(['PENDING', 'APPLIED', 'REJECTED', 'EXPIRED', 'WITHDRAWN'])
    .default('PENDING')
    .openapi({ description: 'the widenings assigned to the caller in this state' }),
});

export const CreateAutomationUserBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 _-]*$/, 'letters, digits, spaces, _ and -')
      .openapi({ description: 'names the user: the username is WSI_<NAME> (e.g. "storage-lift-1")' }),
    email: email.openapi({
      description: 'a dedicated integration mailbox: not in a staff domain, not a staff account',
    }),
    integrationSystem: IntegrationSystemField,
    integrationSystemName: z.string().trim().min(1).max(100).optional(),
    invoiceDataAccess: z.boolean().default(false),
    grants: z
      .array(z.string().trim().min(1).max(64))
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: 'the tenants it works across (tenantId or partnerProvidedId); or allTenants' }),
    allTenants: z.literal(true).optional().openapi({ description: 'every tenant, present and future' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    requireOtherSystemName(body, ctx);
    if (!body.grants === !body.allTenants)
      ctx.addIssue({ code: 'custom', path: ['grants'], message: 'give either grants or allTenants: true' });
    const repeated = (body.grants ?? []).filter((g, i, all) => all.indexOf(g) !== i);
    if (repeated.length > 0)
      ctx.addIssue({ code: 'custom', path: ['grants'], message: `named twice: ${repeated.join(', ')}` });
  })
  .openapi('AutomationUserRequest');
export type CreateAutomationUserBody = z.infer<typeof CreateAutomationUserBody>;

export const AutomationUser = z
  .object({
    username: z.string(),
    email: z.string(),
    integrationSystem: z.string(),
    scope: z.literal('AUTOMATION'),
    invoiceDataAccess: z.boolean(),
    status: z.enum(['active', 'disabled']),
    createdAt: z.string(),
    clientId: z.string(),
    allTenants: z.boolean(),
    grants: z.array(z.object({ tenantId: z.string(), partnerProvidedId: z.string() })),
  })
  .openapi('AutomationUser');

export const CreatedAutomationUser = AutomationUser.extend({
  clientSecret: z.string().openapi({ description: 'shown this once; gangway keeps only a keyed hash' }),
}).openapi('CreatedAutomationUser');
