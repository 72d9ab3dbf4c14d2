import { lookUpStartRules, type StartLookups } from '../../db/start-lookups';
import { findUserByEmail } from '../../db/users';
import { API_PLAN, onboardingWorkflowId, personalEmailProblem } from '../../domain';
import { egressProblem } from '../../lib/egress';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { forbidden } from '../problem';
import { StartOnboardingBody } from '../schemas';

export interface FieldProblem {
  path: string;
  message: string;
}
type Loose = Record<string, any> | undefined;

/** A first onboarding's start, checked: the body and approver when valid, and what the refusals after the checks need. */
export interface CheckedStart {
  body?: StartOnboardingBody;
  approverEmail?: string;
  problems: FieldProblem[];
  /** The TECH_AM of new onboardings: TECH_AM_EMAIL, else the first registered TECH_AM. */
  techAmEmail: string | null;
  /** For a valid body: its tenant's open onboarding and the tenant its partnerProvidedId names (refuseLiveTenant). */
  liveTenant?: Pick<StartLookups, 'openOnboardingId' | 'tenant'>;
}

/**
 * Every problem with a start body at once: the schema's and the rules that need the database
 * (plan, a dedicated integration mailbox, registered approver and client administrators, webhook and
 * portal URLs that are https and resolve to public addresses). Rules read the raw body defensively, so they are reported
 * even when another field is malformed. The database is asked once (db/start-lookups.ts), for every rule,
 * the TECH_AM and, for a valid body, the live-customer refusal, while the URLs are resolved; problems are
 * reported in the same order whatever finishes first. A valid body comes with its approver's email
 * as registered.
 */
export async function startProblems(deps: ApiDeps, raw: unknown): Promise<CheckedStart> {
  const parsed = StartOnboardingBody.safeParse(raw ?? {});
  const problems: FieldProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
  const body = (raw ?? {}) as Loose;
  const tenant = body?.tenant as Loose;

  const asksForSubscriptions = Array.isArray(body?.subscriptions) && body.subscriptions.length > 0;
  if (asksForSubscriptions && typeof tenant?.plan === 'string' && tenant.plan.trim() !== API_PLAN) {
    problems.push({
      path: 'tenant.plan',
      message: `API subscriptions need the ${API_PLAN} plan; this tenant has ${tenant.plan}`,
    });
  }
  const mailbox = (body?.integrationUser as Loose)?.email;
  const approver = approverProblem(body, tenant);
  const administrators: unknown[] = Array.isArray(body?.clientAdministrators) ? body.clientAdministrators : [];
  const configuredTechAm = deps.config.approvals.techAmEmail;
  const partnerProvidedId = parsed.success ? parsed.data.tenant.partnerProvidedId : undefined;
  const [found, egress] = await Promise.all([
    lookUpStartRules(deps.pool, {
      mailboxEmail: typeof mailbox === 'string' ? mailbox : undefined,
      approverEmail: approver.email,
      administratorEmails: administrators.map((email) => (typeof email === 'string' ? email : null)),
      firstTechAm: !configuredTechAm,
      liveTenantOf: partnerProvidedId
        ? { workflowId: onboardingWorkflowId(partnerProvidedId), partnerProvidedId }
        : undefined,
    }),
    egressProblems(deps, body),
  ]);
  const checkedApprover = approverVerdict(approver, found.approver);
  problems.push(
    ...mailboxProblems(deps, mailbox, found.mailboxIsUser),
    ...checkedApprover.problems,
    ...administratorProblems(administrators, found.administratorsRegistered),
    ...egress,
  );
  const unique = problems.filter(
    (p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i,
  );
  const valid = parsed.success && unique.length === 0;
  return {
    body: valid ? parsed.data : undefined,
    approverEmail: valid ? checkedApprover.email : undefined,
    problems: unique,
    techAmEmail: configuredTechAm ?? found.firstTechAm ?? null,
    liveTenant: valid ? { openOnboardingId: found.openOnboardingId, tenant: found.tenant } : undefined,
  };
}

function mailboxProblems(deps: ApiDeps, email: unknown, isUser: boolean): FieldProblem[] {
  if (typeof email !== 'string') return [];
  const personal = personalEmailProblem(email, deps.config.staffEmailDomains, isUser);
  return personal ? [{ path: 'integrationUser.email', message: personal }] : [];
}

/** The approver is the request's approverEmail, else the tenant's account manager; either must be a registered approver. */
export async function approverCheck(
  deps: ApiDeps,
  body: Loose,
  tenant: Loose,
): Promise<{ email?: string; problems: FieldProblem[] }> {
  const approver = approverProblem(body, tenant);
  return approverVerdict(approver, approver.email ? await findUserByEmail(deps.pool, approver.email) : undefined);
}

/** The approver rule, given the user registered under the approver's email (looked up only when there is one). */
function approverVerdict(
  approver: { email?: string; path: string; missing: boolean },
  found: { email: string; role: string } | undefined,
): { email?: string; problems: FieldProblem[] } {
  if (approver.email) {
    if (!found || (found.role !== 'approver' && found.role !== 'admin'))
      return { problems: [{ path: approver.path, message: `${approver.email} is not a registered approver` }] };
    return { email: found.email, problems: [] };
  }
  return {
    problems: approver.missing
      ? [{ path: 'approverEmail', message: 'required when the tenant names no accountManagerEmail' }]
      : [],
  };
}

function administratorProblems(emails: unknown[], registered: boolean[]): FieldProblem[] {
  return emails.flatMap((email, i) =>
    typeof email === 'string' && !registered[i]
      ? [{ path: `clientAdministrators.${i}`, message: `${email} is not a registered gangway user` }]
      : [],
  );
}

/** The URLs gangway will call (lib/egress.ts checks them again when it connects). */
export async function egressProblems(deps: ApiDeps, body: Loose): Promise<FieldProblem[]> {
  const urls: [string, unknown][] = [['notify.webhookUrl', (body?.notify as Loose)?.webhookUrl]];
  if (Array.isArray(body?.clients))
    (body.clients as Loose[]).forEach((client, i) => urls.push([`clients.${i}.portalUrl`, client?.portalUrl]));
  const found = await Promise.all(
    urls.map(async ([path, url]) => {
      if (typeof url !== 'string') return [];
      const refused = await egressProblem(url, { allowedHosts: deps.config.egress.allowedHosts });
      return refused ? [{ path, message: refused }] : [];
    }),
  );
  return found.flat();
}

function approverProblem(body: Loose, tenant: Loose): { email?: string; path: string; missing: boolean } {
  if (typeof body?.approverEmail === 'string')
    return { email: body.approverEmail, path: 'approverEmail', missing: false };
  if (typeof tenant?.accountManagerEmail === 'string')
    return { email: tenant.accountManagerEmail, path: 'tenant.accountManagerEmail', missing: false };
  return { path: 'approverEmail', missing: body?.approverEmail === undefined && tenant !== undefined };
}

/** Ongoing WMS: an automation user sees every tenant, so only an admin may ask for one. */
export function requireScopeAllowed(raw: unknown, caller: Caller): void {
  const scope = (raw as Loose)?.integrationUser?.scope;
  if (scope === 'AUTOMATION' && caller.role !== 'admin')
    throw forbidden('Only an admin may request an AUTOMATION integration user, which works across all tenants');
}
