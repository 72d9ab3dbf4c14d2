import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { API_PLAN, checkEmbedOrigin, MAX_EMBED_ORIGINS } from '../domain';

extendZodWithOpenApi(z);

/** The tenant and its origins (Shipium's tenant configuration), shared by /v1/tenants and the onboarding start. */

export const partnerId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');
export const email = z.email().max(254);

const Address = z.object({
  street1: z.string().min(1).max(200),
  street2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  state: z.string().max(100).optional(),
  postalCode: z.string().min(1).max(20),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2, e.g. NL'),
});
const Contact = z.object({ name: z.string().min(1).max(200), email, phoneNumber: z.string().max(40).optional() });

const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const Weekday = z.enum(WEEKDAYS, { error: `a weekday name: ${WEEKDAYS.join(', ')}` });
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM, 00:00 to 23:59');
const isoDate = z.iso.date({ error: 'an ISO date, YYYY-MM-DD' });

const OriginSchedule = z
  .object({
    shippingDays: z.array(Weekday).max(7).default([]),
    cutoffTimes: z
      .array(z.object({ dayOfWeek: Weekday, cutoff: time }))
      .max(7)
      .default([]),
    cutoffExceptions: z
      .array(z.object({ date: isoDate, cutoff: time }))
      .max(366)
      .default([]),
    holidays: z
      .array(z.object({ date: isoDate, name: z.string().max(200).optional() }))
      .max(366)
      .default([]),
  })
  .superRefine((schedule, ctx) => {
    // A cutoff on a day the origin does not ship is a contradiction, not a setting.
    schedule.cutoffTimes.forEach((c, i) => {
      if (!schedule.shippingDays.includes(c.dayOfWeek))
        ctx.addIssue({
          code: 'custom',
          path: ['cutoffTimes', i, 'dayOfWeek'],
          message: `${c.dayOfWeek} is not a shipping day`,
        });
    });
  });

const ORIGIN_TYPES = ['fulfillment_center', 'warehouse', 'store', 'at_large'] as const;
const Origin = z.object({
  partnerProvidedId: partnerId,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  originType: z.enum(ORIGIN_TYPES),
  address: Address,
  contact: Contact.optional(),
  schedule: OriginSchedule.optional(),
});

/** An origin that may frame the collector, stored as browsers write it (domain/embed-origins.ts). */
const embedOrigin = z
  .string()
  .max(300)
  .superRefine((text, ctx) => {
    const check = checkEmbedOrigin(text);
    if ('problem' in check) ctx.addIssue({ code: 'custom', message: `${text}: ${check.problem}` });
  })
  .transform((text) => (checkEmbedOrigin(text) as { origin: string }).origin);

const Embed = z
  .object({
    allowedOrigins: z
      .array(embedOrigin)
      .max(MAX_EMBED_ORIGINS)
      .transform((origins) => [...new Set(origins)])
      .openapi({
        description:
          'PortalDuct: partner pages that may frame the collector (/collect/{token}?embedOrigin=…) and receive its outcome by postMessage; https origins (http only for localhost, 127.0.0.1, [::1]); [] or absent: nobody',
      }),
  })
  .strict();

const tenantFields = {
  partnerProvidedId: partnerId.openapi({
    description: "The customer's own id; unique across live tenants, usable wherever a tenantId is",
  }),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  taxIdentificationNumber: z.string().max(40).optional(),
  plan: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .openapi({ description: `API subscriptions need the ${API_PLAN} plan` }),
  accountManagerEmail: email.optional(),
  address: Address.optional(),
  contact: Contact.optional(),
  origins: z.array(Origin).max(100).optional(),
  embed: Embed.optional(),
  accountType: z.enum(['PRODUCTION', 'TEST']).optional().openapi({
    description:
      'ShipServ: a TEST account is marked in its kit and tokens (account_type claim) and never shares an API client with production; fixed once created (absent: PRODUCTION)',
  }),
};

const uniqueOrigins = (origins: { partnerProvidedId: string }[] | undefined, ctx: z.RefinementCtx) => {
  const ids = (origins ?? []).map((o) => o.partnerProvidedId);
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i)
      ctx.addIssue({
        code: 'custom',
        path: ['origins', i, 'partnerProvidedId'],
        message: `origin ${id} is listed twice`,
      });
  });
};

export const TenantFields = z.object(tenantFields).superRefine((t, ctx) => uniqueOrigins(t.origins, ctx));

/** Shipium's seed sends `"testMode": "true"`, a string: it means the same as the boolean. */
export const testModeFlag = z
  .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
  .default(false);
/** The raw body asks for a dry run (read before validation, where a problem answer needs to know). */
export const asksTestMode = (body: unknown) => {
  const flag = (body as { testMode?: unknown } | null | undefined)?.testMode;
  return flag === true || flag === 'true';
};

const testMode = testModeFlag.openapi({
  description: 'true (or the string "true"): validate and answer with what would be stored, changing nothing',
});

export const CreateTenantBody = z
  .object({ ...tenantFields, testMode })
  .superRefine((t, ctx) => uniqueOrigins(t.origins, ctx))
  .openapi('CreateTenant');
export type CreateTenantBody = z.infer<typeof CreateTenantBody>;

export const PatchTenantBody = z
  .object({ ...z.object(tenantFields).partial().shape, testMode })
  .superRefine((t, ctx) => {
    uniqueOrigins(t.origins, ctx);
    if (Object.keys(t).filter((k) => k !== 'testMode').length === 0)
      ctx.addIssue({ code: 'custom', path: [], message: 'name at least one property to change' });
  })
  .openapi('PatchTenant', { description: 'Only the properties given change; the rest stay as they are' });
export type PatchTenantBody = z.infer<typeof PatchTenantBody>;

export const TenantReadQuery = z.object({
  asOfDateTime: z.iso
    .datetime({ offset: true, error: 'an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' })
    .optional()
    .openapi({ description: 'the tenant as it was then; 404 before it existed' }),
});
export const TenantIdentifier = z.object({
  identifier: z.string().min(1).max(64).openapi({ description: 'tenantId or partnerProvidedId' }),
});
