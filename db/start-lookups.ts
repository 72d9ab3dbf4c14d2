import { OPEN_STATUSES } from '../domain';
import { openOnboardingIdOf } from './onboardings';
import { prepared } from './prepared';
import type { Queryable } from './queryable';
import { tenantIdNamedBy } from './tenants';
import { FIRST_TECH_AM, type Role } from './users';

/** What the start rules of a first onboarding ask the database; absent fields are not looked up. */
export interface StartLookupRequest {
  /** The integration mailbox, which must not be a registered user's (a person's). */
  mailboxEmail?: string;
  /** The approver (approverEmail, else the tenant's accountManagerEmail), who must be a registered approver. */
  approverEmail?: string;
  /** The client administrators, each of whom must be a registered user; null where the body has no string. */
  administratorEmails: (string | null)[];
  /** Whether to read the first registered TECH_AM (only when TECH_AM_EMAIL names none). */
  firstTechAm: boolean;
  /** The onboarding's workflow id and partnerProvidedId, for the refusal of a live customer (a valid body only). */
  liveTenantOf?: { workflowId: string; partnerProvidedId: string };
}

export interface StartLookups {
  mailboxIsUser: boolean;
  approver?: { email: string; role: Role };
  /** In the order of administratorEmails: whether each is a registered user (false for null). */
  administratorsRegistered: boolean[];
  firstTechAm?: string;
  /** The open onboarding with this workflow id, which refuses a second one. */
  openOnboardingId?: string;
  /** The tenant this partnerProvidedId names, as its latest version says: a live one refuses a first onboarding. */
  tenant?: { tenantId: string; archived: boolean };
}

interface Row {
  mailbox_is_user: boolean;
  approver: { email: string; role: Role } | null;
  administrators_registered: boolean[];
  first_tech_am: string | null;
  open_onboarding_id: string | null;
  tenant: { tenantId: string; archived: boolean } | null;
}

/**
 * Every lookup the start rules of a first onboarding need, in one statement: one round trip where there
 * were one per email checked and three more, in sequence, for the live-customer refusal. Each column is the
 * query its rule used alone (findUserByEmail, findFirstTechAm, findOpenOnboardingId, resolveTenantId and
 * findTenantVersion; the last three share their SQL with this one), so a rule decides here as it did there.
 * Emails are trimmed and compared without case, as findUserByEmail does.
 */
export async function lookUpStartRules(db: Queryable, request: StartLookupRequest): Promise<StartLookups> {
  const { rows } = await db.query<Row>(
    prepared(
      `SELECT
       EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1::text)) AS mailbox_is_user,
       (SELECT json_build_object('email', email, 'role', role) FROM users WHERE lower(email) = lower($2::text) LIMIT 1) AS approver,
       ARRAY(SELECT EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(a.email))
               FROM unnest($3::text[]) WITH ORDINALITY AS a(email, ord) ORDER BY a.ord) AS administrators_registered,
       CASE WHEN $4::boolean THEN (${FIRST_TECH_AM}) END AS first_tech_am,
       (${openOnboardingIdOf('$5', '$6')}) AS open_onboarding_id,
       (SELECT json_build_object('tenantId', v.tenant_id, 'archived', v.archived) FROM tenant_versions v
         WHERE v.tenant_id = (${tenantIdNamedBy('$7')})
         ORDER BY v.version DESC LIMIT 1) AS tenant`,
      [
        request.mailboxEmail?.trim() ?? null,
        request.approverEmail?.trim() ?? null,
        request.administratorEmails.map((email) => email?.trim() ?? null),
        request.firstTechAm,
        request.liveTenantOf?.workflowId ?? null,
        OPEN_STATUSES,
        request.liveTenantOf?.partnerProvidedId ?? null,
      ],
    ),
  );
  const row = rows[0];
  return {
    mailboxIsUser: row.mailbox_is_user,
    approver: row.approver ?? undefined,
    administratorsRegistered: row.administrators_registered,
    firstTechAm: row.first_tech_am ?? undefined,
    openOnboardingId: row.open_onboarding_id ?? undefined,
    tenant: row.tenant ?? undefined,
  };
}
