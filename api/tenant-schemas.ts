import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { API_PLAN, checkEmbedOrigin, MAX_EMBED_ORIGINS, scheduleWindowProblems } from '../domain';

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
  addressType: z.string().trim().min(1).max(40).optional().openapi({ description: 'e.g. commercial, residential' }),
  name: z.string().max(200).optional(),
  company: z.string().max(200).optional(),
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

const Holidays = z
  .array(
    z.object({
      date: isoDate,
      name: z.string().max(200).optional(),
      metadata: z.record(z.string().max(100), z.string().max(2000)).optional(),
    }),
  )
  .max(366)
  .default([]);

/** A cutoff or pickup on a day the origin does not ship is a contradiction, not a setting. */
function offDayProblems(
  shippingDays: string[],
  times: { dayOfWeek: string }[],
  at: (string | number)[],
  ctx: z.RefinementCtx,
) {
  times.forEach((t, i) => {
    if (!shippingDays.includes(t.dayOfWeek))
      ctx.addIssue({ code: 'custom', path: [...at, i, 'dayOfWeek'], message: `${t.dayOfWeek} is not a shipping day` });
    if (times.findIndex((o) => o.dayOfWeek === t.dayOfWeek) !== i)
      ctx.addIssue({ code: 'custom', path: [...at, i, 'dayOfWeek'], message: `${t.dayOfWeek} is listed twice` });
  });
}

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
    holidays: Holidays,
  })
  .superRefine((schedule, ctx) => offDayProblems(schedule.shippingDays, schedule.cutoffTimes, ['cutoffTimes'], ctx));

const hour = (what: string) =>
  z
    .number()
    .int('a whole hour')
    .min(0, 'an hour from 0 to 23')
    .max(23, 'an hour from 0 to 23')
    .openapi({ description: what });
const ProcessingCutoff = z.object({
  expectedDaysToShip: z.number().int('whole days').min(0).max(365).optional(),
  shippingCutoffHour: hour('orders in after this hour ship the next shipping day').optional(),
  weekendCutoffHour: hour('the same on weekend shipping days').optional(),
});

const serverId = (what: string) =>
  z
    .uuid()
    .optional()
    .openapi({
      description: `assigned by the server; give it back to keep the ${what} it names (natural key otherwise)`,
    });
const CarrierSchedule = z
  .object({
    carrierScheduleId: serverId('carrier schedule'),
    carrierId: z.string().trim().min(1).max(64),
    carrierServiceMethodIds: z.array(z.string().trim().min(1).max(64)).max(50).default([]),
    cutoffTimes: z
      .array(z.object({ dayOfWeek: Weekday, cutoff: time }))
      .max(7)
      .default([])
      .openapi({ description: "the carrier's last hand-over per weekday" }),
    cutoffExceptions: z
      .array(z.object({ date: isoDate, cutoff: time }))
      .max(366)
      .default([]),
    pickupTimes: z
      .array(z.object({ dayOfWeek: Weekday, pickup: time }))
      .max(7)
      .default([])
      .openapi({
        description: "gangway's addition to the seed: when the carrier collects, not before that day's cutoff",
      }),
  })
  .superRefine((carrier, ctx) => {
    carrier.pickupTimes.forEach((p, i) => {
      const cutoff = carrier.cutoffTimes.find((c) => c.dayOfWeek === p.dayOfWeek)?.cutoff;
      if (cutoff && p.pickup < cutoff)
        ctx.addIssue({
          code: 'custom',
          path: ['pickupTimes', i, 'pickup'],
          message: `before the ${p.dayOfWeek} cutoff ${cutoff}`,
        });
    });
  });

const instant = z.iso
  .datetime({ offset: true, error: 'an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' })
  .transform((v) => new Date(v).toISOString());
const ScheduleEntry = z
  .object({
    scheduleEntryId: serverId('schedule entry'),
    from: instant.openapi({ description: 'in force from this instant (inclusive)' }),
    to: instant.optional().openapi({ description: 'up to this instant (exclusive); absent: open-ended' }),
    shippingDays: z.array(Weekday).max(7).default([]),
    holidays: Holidays,
    processingCutoff: ProcessingCutoff.optional(),
    carrierSchedules: z.array(CarrierSchedule).max(50).default([]),
  })
  .superRefine((entry, ctx) => {
    entry.carrierSchedules.forEach((carrier, i) => {
      offDayProblems(entry.shippingDays, carrier.cutoffTimes, ['carrierSchedules', i, 'cutoffTimes'], ctx);
      offDayProblems(entry.shippingDays, carrier.pickupTimes, ['carrierSchedules', i, 'pickupTimes'], ctx);
      if (entry.carrierSchedules.findIndex((c) => c.carrierId === carrier.carrierId) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['carrierSchedules', i, 'carrierId'],
          message: `carrier ${carrier.carrierId} has a schedule here already`,
        });
    });
  })
  .openapi({ description: 'A dated schedule: the one whose window covers now is the activeSchedule' });

export const TENANT_STATUSES = ['ACTIVE', 'ARCHIVED'] as const;
const ORIGIN_TYPES = ['fulfillment_center', 'warehouse', 'store', 'at_large'] as const;
const originFields = {
  originId: serverId('origin'),
  partnerProvidedId: partnerId,
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  originType: z.enum(ORIGIN_TYPES),
  address: Address,
  contact: Contact.optional(),
  schedule: OriginSchedule.optional().openapi({ description: 'an undated weekly pattern (see schedules)' }),
  schedules: z.array(ScheduleEntry).max(100).optional(),
};
/** The windows of one origin's schedules may not overlap, and each must end after it starts. */
const windowProblems = (schedules: { from: string; to?: string }[] | undefined, ctx: z.RefinementCtx) =>
  scheduleWindowProblems(schedules ?? []).forEach((p) =>
    ctx.addIssue({ code: 'custom', path: ['schedules', ...p.path], message: p.message }),
  );
const Origin = z.object(originFields).superRefine((o, ctx) => windowProblems(o.schedules, ctx));

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
  unitedStatesPrincipalPartyInInterestAddress: Address.extend({
    countryCode: z.literal('US', { error: 'the USPPI is a party in the United States: US' }),
  })
    .optional()
    .openapi({ description: 'USPPI: the party in the US that gets the primary benefit of an export' }),
  unitedStatesPrincipalPartyInInterestContact: Contact.optional(),
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

type OriginIds = {
  originId?: string;
  schedules?: { scheduleEntryId?: string; carrierSchedules: { carrierScheduleId?: string }[] }[];
};
/** A new tenant has no ids yet: each is assigned by the server when the asset is first stored. */
const noServerIds = (
  origins: OriginIds[] | undefined,
  ctx: z.RefinementCtx,
  at: (i: number) => (string | number)[] = (i) => ['origins', i],
) => {
  const issue = (path: (string | number)[]) =>
    ctx.addIssue({ code: 'custom', path, message: 'assigned by the server: leave it out' });
  (origins ?? []).forEach((o, i) => {
    if (o.originId) issue([...at(i), 'originId']);
    (o.schedules ?? []).forEach((e, j) => {
      if (e.scheduleEntryId) issue([...at(i), 'schedules', j, 'scheduleEntryId']);
      e.carrierSchedules.forEach((c, k) => {
        if (c.carrierScheduleId) issue([...at(i), 'schedules', j, 'carrierSchedules', k, 'carrierScheduleId']);
      });
    });
  });
};

export const TenantFields = z.object(tenantFields).superRefine((t, ctx) => {
  uniqueOrigins(t.origins, ctx);
  noServerIds(t.origins, ctx);
});

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
  .superRefine((t, ctx) => {
    uniqueOrigins(t.origins, ctx);
    noServerIds(t.origins, ctx);
  })
  .openapi('CreateTenant');
export type CreateTenantBody = z.infer<typeof CreateTenantBody>;

export const PatchTenantBody = z
  .object({
    ...z.object(tenantFields).partial().shape,
    status: z.enum(TENANT_STATUSES).optional().openapi({
      description:
        'ARCHIVED archives as DELETE does; ACTIVE reactivates an archived tenant (409 when a live tenant has its partnerProvidedId meanwhile, or when it was offboarded). Staff and admins only',
    }),
    testMode,
  })
  .superRefine((t, ctx) => {
    uniqueOrigins(t.origins, ctx);
    if (Object.keys(t).filter((k) => k !== 'testMode').length === 0)
      ctx.addIssue({ code: 'custom', path: [], message: 'name at least one property to change' });
  })
  .openapi('PatchTenant', { description: 'Only the properties given change; the rest stay as they are' });
export type PatchTenantBody = z.infer<typeof PatchTenantBody>;

export const CreateOriginBody = z
  .object({ ...originFields, testMode })
  .superRefine((o, ctx) => {
    windowProblems(o.schedules, ctx);
    noServerIds([o], ctx, () => []);
  })
  .openapi('CreateOrigin');
export type CreateOriginBody = z.infer<typeof CreateOriginBody>;

export const PatchOriginBody = z
  .object({ ...z.object(originFields).omit({ originId: true }).partial().shape, testMode })
  .superRefine((o, ctx) => {
    windowProblems(o.schedules, ctx);
    if (Object.keys(o).filter((k) => k !== 'testMode').length === 0)
      ctx.addIssue({ code: 'custom', path: [], message: 'name at least one property to change' });
  })
  .openapi('PatchOrigin', {
    description:
      'Only the properties given change; schedules, when given, replace the list (ids kept by scheduleEntryId or from)',
  });
export type PatchOriginBody = z.infer<typeof PatchOriginBody>;

export const TenantReadQuery = z.object({
  asOfDateTime: z.iso
    .datetime({ offset: true, error: 'an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z' })
    .optional()
    .openapi({ description: 'the tenant as it was then; 404 before it existed' }),
});
export const TenantIdentifier = z.object({
  identifier: z.string().min(1).max(64).openapi({ description: 'tenantId or partnerProvidedId' }),
});
export const OriginIdentifier = TenantIdentifier.extend({
  origin: z.string().min(1).max(64).openapi({ description: "the origin's originId or partnerProvidedId" }),
});
