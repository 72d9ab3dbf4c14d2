import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { email } from './tenant-schemas';

extendZodWithOpenApi(z);

/** Client administration (TecCom's client page): tenants, their request switch and failure mail, administrators. */

const notificationEmails = z
  .array(email)
  .max(20)
  .openapi({ description: 'who hears of failed deliveries for this tenant' });

export const AddApiClientTenantBody = z
  .object({
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
  .object({ enabled: z.boolean().optional(), notificationEmails: notificationEmails.optional() })
  .refine((b) => b.enabled !== undefined || b.notificationEmails !== undefined, {
    message: 'name enabled or notificationEmails',
  })
  .openapi('UpdateClientTenant');

export const ApiClientAdministratorBody = z
  .object({ email: email.openapi({ description: 'a registered gangway user' }) })
  .openapi('ClientAdministrator');

const ApiClientParams = z.object({ clientId: z.string().min(1).max(64) });
export const ApiClientTenantParams = ApiClientParams.extend({ tenantId: z.uuid() });
