import { personalEmailProblem } from '../activities/integration-account-rules';
import { findUserByEmail } from '../db/users';
import { webhookUrlProblem } from '../notify/webhook-url-guard';
import { API_PLAN } from '../workflows/types';
import type { Caller } from './auth';
import type { ApiDeps } from './deps';
import { forbidden } from './problem';
import { StartOnboardingBody } from './schemas';

export interface FieldProblem { path: string; message: string }
type Loose = Record<string, any> | undefined;

/**
 * Every problem with a start body at once: the schema's and the rules that need the database
 * (plan, a dedicated integration mailbox, registered approver and client administrators, a webhook
 * URL that resolves to a public address). Rules
 * read the raw body defensively, so they are reported even when another field is malformed.
 */
export async function startProblems(deps: ApiDeps, raw: unknown): Promise<{ body?: StartOnboardingBody; problems: FieldProblem[] }> {
  const parsed = StartOnboardingBody.safeParse(raw ?? {});
  const problems: FieldProblem[] = parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
  const body = (raw ?? {}) as Loose;
  const tenant = body?.tenant as Loose;
  const user = body?.integrationUser as Loose;

  const asksForSubscriptions = Array.isArray(body?.subscriptions) && body.subscriptions.length > 0;
  if (asksForSubscriptions && typeof tenant?.plan === 'string' && tenant.plan.trim() !== API_PLAN) {
    problems.push({ path: 'tenant.plan', message: `API subscriptions need the ${API_PLAN} plan; this tenant has ${tenant.plan}` });
  }
  if (typeof user?.email === 'string') {
    const personal = await personalEmailProblem(deps.pool, user.email, deps.config.staffEmailDomains);
    if (personal) problems.push({ path: 'integrationUser.email', message: personal });
  }
  const approver = approverProblem(body, tenant);
  if (approver.email) {
    const found = await findUserByEmail(deps.pool, approver.email);
    if (!found || (found.role !== 'approver' && found.role !== 'admin')) problems.push({ path: approver.path, message: `${approver.email} is not a registered approver` });
  } else if (approver.missing) {
    problems.push({ path: 'approverEmail', message: 'required when the tenant names no accountManagerEmail' });
  }
  if (Array.isArray(body?.clientAdministrators)) {
    for (const [i, email] of (body.clientAdministrators as unknown[]).entries()) {
      if (typeof email === 'string' && !(await findUserByEmail(deps.pool, email))) {
        problems.push({ path: `clientAdministrators.${i}`, message: `${email} is not a registered gangway user` });
      }
    }
  }
  const webhookUrl = (body?.notify as Loose)?.webhookUrl;
  if (typeof webhookUrl === 'string') {
    const refused = await webhookUrlProblem(webhookUrl, deps.config.webhook.allowedHosts).catch(() => undefined);
    if (refused) problems.push({ path: 'notify.webhookUrl', message: refused });
  }
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);
  return { body: parsed.success && unique.length === 0 ? parsed.data : undefined, problems: unique };
}

function approverProblem(body: Loose, tenant: Loose): { email?: string; path: string; missing: boolean } {
  if (typeof body?.approverEmail === 'string') return { email: body.approverEmail, path: 'approverEmail', missing: false };
  if (typeof tenant?.accountManagerEmail === 'string') return { email: tenant.accountManagerEmail, path: 'tenant.accountManagerEmail', missing: false };
  return { path: 'approverEmail', missing: body?.approverEmail === undefined && tenant !== undefined };
}

/** Ongoing WMS: an automation user sees every tenant, so only an admin may ask for one. */
export function requireScopeAllowed(raw: unknown, caller: Caller): void {
  const scope = (raw as Loose)?.integrationUser?.scope;
  if (scope === 'AUTOMATION' && caller.role !== 'admin') throw forbidden('Only an admin may request an AUTOMATION integration user, which works across all tenants');
}
