import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { RESEND_KINDS } from '../domain';
import { email, partnerId } from './tenant-schemas';

extendZodWithOpenApi(z);

/** Bodies of the actions on an existing onboarding (api/routes/onboarding-actions.ts). */

const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const ResendBody = z
  .object({
    kind: z.enum(RESEND_KINDS).openapi({
      description:
        'COLLECTOR: a client’s waiting collector link (needs client); KIT: the kit while nobody has opened it (a new secret replaces the unseen one); SET_PASSWORD: the set-password link once the kit was opened; APPROVAL_REQUEST: the pending approval requests',
    }),
    client: partnerId.optional().openapi({ description: 'the client’s partnerProvidedId (COLLECTOR only)' }),
  })
  .superRefine((body, ctx) => {
    if (body.kind === 'COLLECTOR' && !body.client)
      ctx.addIssue({ code: 'custom', path: ['client'], message: 'COLLECTOR needs the client' });
    if (body.kind !== 'COLLECTOR' && body.client)
      ctx.addIssue({ code: 'custom', path: ['client'], message: `${body.kind} is not per client` });
  })
  .openapi('Resend');
export type ResendBody = z.infer<typeof ResendBody>;

const ClientAmendment = z
  .object({
    partnerProvidedId: partnerId,
    name: z.string().trim().min(1).max(200).optional(),
    contactEmail: email.optional(),
    portalUrl: httpUrl.optional(),
  })
  .strict();

export const AmendOnboardingBody = z
  .object({
    notify: z.object({ email: email.optional(), webhookUrl: httpUrl.optional() }).strict().optional(),
    clients: z.array(ClientAmendment).min(1).max(100).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const changes =
      Object.keys(body.notify ?? {}).length + (body.clients ?? []).reduce((n, c) => n + Object.keys(c).length - 1, 0);
    if (changes === 0) ctx.addIssue({ code: 'custom', path: [], message: 'nothing to change' });
    const ids = (body.clients ?? []).map((c) => c.partnerProvidedId);
    for (const id of ids.filter((v, i) => ids.indexOf(v) !== i))
      ctx.addIssue({ code: 'custom', path: ['clients'], message: `client ${id} is listed twice` });
  })
  .openapi('AmendOnboarding', {
    description:
      'What has not happened yet: a client before it submitted credentials, the notify address before the kit',
  });
export type AmendOnboardingBody = z.infer<typeof AmendOnboardingBody>;

export const ClientParams = z.object({ id: z.uuid(), partnerProvidedId: partnerId });
