import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { email } from './tenant-schemas';

extendZodWithOpenApi(z);

/** Client administration (TecCom's client page): tenants, their request switch and failure mail, administrators. */

const notificationEmails = z
  .array(email)
  .max(20)
  .openapi({ description: 'who hears of failed deliveries for this tenant' });

/** Why: every client mutation is a security event with its actor and this reason. */
const reason = z.string().trim().min(1).max(500).openapi({ description: 'why, for the audit log' });

export const RotateSecretBody = z
  .object({
    reason,
    revokePrevious: z
      .boolean()
      .default(false)
      .openapi({ description: 'true: the old secret stops at once (a leak); otherwise after CLIENT_SECRET_GRACE' }),
  })
  .openapi('RotateClientSecret');

export const AuditReasonQuery = z.object({ reason: reason.optional() });

export const AddApiClientTenantBody = z
  .object({
    reason: reason.optional(),
    tenant: z
      .string()
      .min(1)
      .max(64)
      .openapi({ description: 'tenantId or partnerProvidedId; a tenant is on at most one client' }),
    enabled: z
      .boolean()
      .default(true)
      .openapi({ description: 'false: the tenant is on the client but not served in requests' }),
    notificationEmails: notificationEmails.default([]),
  })
  .openapi('AddClientTenant');

export const UpdateApiClientTenantBody = z
  .object({
    enabled: z.boolean().optional(),
    notificationEmails: notificationEmails.optional(),
    reason: reason.optional(),
  })
  .refine((b) => b.enabled !== undefined || b.notificationEmails !== undefined, {
    message: 'name enabled or notificationEmails',
  })
  .openapi('UpdateClientTenant');

export const ApiClientAdministratorBody = z
  .object({ email: email.openapi({ description: 'a registered gangway user' }), reason: reason.optional() })
  .openapi('ClientAdministrator');

const ApiClientParams = z.object({ clientId: z.string().min(1).max(64) });
export const ApiClientTenantParams = ApiClientParams.extend({ tenantId: z.uuid() });
