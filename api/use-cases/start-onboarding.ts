import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import {
  deleteUnstartedOnboarding,
  findOpenOnboardingId,
  insertStartedOnboarding,
  recordFirstRunId,
} from '../../db/onboardings';
import { findTenantVersion, resolveTenantId } from '../../db/tenants';
import { findFirstTechAm } from '../../db/users';
import { newWebhookSecret, webhookSecretContext } from '../../notify/webhook-signing';
import {
  initialView,
  isExpansionBody,
  onboardingStaticDetails,
  onboardingSummary,
  onboardingWorkflowId,
  plannedSteps,
  searchAttributesOf,
  stagesOf,
  type ApprovalSetup,
  type ExpansionTarget,
  type OnboardingInput,
} from '../../domain';
import type { onboardingWorkflow } from '../../workflows';
import { searchAttributePairs } from '../../workflows/search-attributes';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { idempotent, type Answer } from '../idempotent';
import { badRequest, conflict, HttpProblem } from '../problem';
import type { StartOnboardingBody } from '../schemas';
import { asksTestMode } from '../tenant-schemas';
import { ServerTiming } from '../server-timing';
import { expansionProblems } from './expansion-checks';
import { requireScopeAllowed, startProblems } from './start-checks';

export interface StartCommand {
  caller: Caller;
  body: unknown;
  idempotencyKey?: string;
}
/** What POST /v1/onboardings answers; location and serverTiming only for a start made now. */
export interface StartAnswer {
  status: number;
  body: unknown;
  location?: string;
  serverTiming?: string;
}

/**
 * Starts an onboarding: a repeated Idempotency-Key gets the first answer (kept sealed, since it may hold
 * the webhook secret); every start rule is checked at once; testMode answers with the plan. Otherwise
 * the read-model row is written and committed, the workflow started with no connection held, and its
 * run id recorded. Server-Timing names these phases checks, insert, temporal, commit (the run id's write)
 * and idempotency.
 */
export async function startOnboarding(
  deps: ApiDeps,
  { caller, body: raw, idempotencyKey: key }: StartCommand,
): Promise<StartAnswer> {
  const timing = new ServerTiming();
  let location: string | undefined;
  const answer = await idempotent(
    deps,
    { caller, key, route: 'POST /v1/onboardings', body: raw, sealed: true, timing },
    async () => {
      const { status, body, self } = await start(deps, caller, raw, timing);
      location = self;
      return { status, body };
    },
  );
  // Only a start made now says where it went and how long it took; a repeat answers as stored.
  return location ? { ...answer, location, serverTiming: timing.header() } : answer;
}

async function start(
  deps: ApiDeps,
  caller: Caller,
  raw: unknown,
  timing: ServerTiming,
): Promise<Answer & { self?: string }> {
  requireScopeAllowed(raw, caller);
  const expanding = isExpansionBody(raw);
  // The TECH_AM is looked up beside the start rules' lookups, not after them: one round trip less per start.
  const [{ body, approverEmail, problems, expansion }, techAmEmail] = await Promise.all([
    expanding
      ? expansionProblems(deps, raw)
      : startProblems(deps, raw).then((checked) => ({ ...checked, expansion: undefined })),
    techAmEmailOf(deps),
  ]);
  if (!body || !approverEmail) {
    const problem = badRequest(
      `The start is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
    // A dry run reports the plan beside every problem, so one call shows all that must change.
    if (asksTestMode(raw)) Object.assign(problem.extra, { testMode: true, valid: false, plan: plannedSteps(raw) });
    throw problem;
  }
  if (!expanding) await refuseLiveTenant(deps, body.tenant.partnerProvidedId);
  if (body.testMode) return { status: 200, body: dryRun(body, raw, approverEmail) };
  timing.lap('checks');

  const approval = approvalSetup(deps, body, techAmEmail);
  const started = await launch(deps, { body, expansion }, caller, approverEmail, approval, timing);
  return { status: 202, body: started, self: started.links.self };
}

/** The TECH_AM of new onboardings: TECH_AM_EMAIL, else the first registered TECH_AM. */
async function techAmEmailOf(deps: ApiDeps): Promise<string | null> {
  return deps.config.approvals.techAmEmail ?? (await findFirstTechAm(deps.pool)) ?? null;
}

/**
 * Who decides each subscription, fixed at start (APPROVAL_POLICY), with the TECH_AM (techAmEmailOf)
 * and the escalation list (ESCALATION_EMAILS, else the TECH_AM).
 */
function approvalSetup(deps: ApiDeps, body: StartOnboardingBody, techAmEmail: string | null): ApprovalSetup {
  const { approvals } = deps.config;
  const stages: ApprovalSetup['stages'] = {};
  for (const code of body.subscriptions) {
    stages[code] = stagesOf(approvals.policy, code);
    if (stages[code].includes('TECH_AM') && !techAmEmail) {
      throw new HttpProblem(
        422,
        'No technical account manager',
        `${code} needs a TECH_AM's approval and none is registered or configured (TECH_AM_EMAIL)`,
      );
    }
  }
  const escalateTo =
    approvals.escalationEmails.length > 0 ? [...approvals.escalationEmails] : techAmEmail ? [techAmEmail] : [];
  return { stages, techAmEmail, escalateTo };
}

/**
 * A first onboarding is for a new customer: a live tenant with this partnerProvidedId is refused before
 * anything starts, naming it and the two ways on (an expansion, or an offboarding first).
 */
async function refuseLiveTenant(deps: ApiDeps, partnerProvidedId: string): Promise<void> {
  const existingId = await findOpenOnboardingId(deps.pool, onboardingWorkflowId(partnerProvidedId));
  if (existingId) throw conflict(`tenant ${partnerProvidedId} already has an open onboarding`, { existingId });
  const tenantId = await resolveTenantId(deps.pool, partnerProvidedId);
  const tenant = tenantId && (await findTenantVersion(deps.pool, tenantId));
  if (tenant && !tenant.archived)
    throw conflict(
      `tenant ${partnerProvidedId} is live (tenantId ${tenant.tenantId}): to add to it, start an expansion with tenant {partnerProvidedId, existing: true}; to start over, offboard it first (POST /v1/tenants/${partnerProvidedId}/offboard)`,
      { tenantId: tenant.tenantId },
    );
}

/** testMode: the plan of steps the onboarding would run, starting nothing. */
function dryRun(body: StartOnboardingBody, raw: unknown, approverEmail: string) {
  return {
    testMode: true,
    valid: true,
    workflowId: onboardingWorkflowId(body.tenant.partnerProvidedId),
    approverEmail,
    plan: plannedSteps(raw),
  };
}

/**
 * The row first, committed, so the webhook secret is there before any delivery; then the workflow,
 * with no connection held while Temporal answers. If Temporal refuses (an open onboarding for this
 * tenant) or fails, the row is removed again, and a refusal names the open onboarding's id.
 */
async function launch(
  deps: ApiDeps,
  { body, expansion }: { body: StartOnboardingBody; expansion?: ExpansionTarget },
  caller: Caller,
  approverEmail: string,
  approval: ApprovalSetup,
  timing: ServerTiming,
) {
  const { pool, temporal, secrets, config } = deps;
  const onboardingId = randomUUID();
  const workflowId = onboardingWorkflowId(body.tenant.partnerProvidedId);
  const { testMode: _testMode, ...request } = body;
  const input: OnboardingInput = {
    onboardingId,
    ...(expansion ? { expansion } : {}),
    request,
    approverEmail,
    startedBy: { userId: caller.id, email: caller.email },
    policy: config.policy,
    approval,
  };
  const webhookSecret = body.notify.webhookUrl ? newWebhookSecret() : undefined;

  const view = initialView(input, workflowId, new Date().toISOString());
  await insertStartedOnboarding(pool, {
    view,
    startedBy: caller.id,
    notifyEmail: body.notify.email,
    webhookUrl: body.notify.webhookUrl,
    webhookSecretSealed: webhookSecret && secrets.seal(webhookSecret, webhookSecretContext(onboardingId)),
  });
  timing.lap('insert');
  let firstRunId: string;
  try {
    const handle = await temporal.workflow.start<typeof onboardingWorkflow>('onboardingWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      // What Temporal's list and workflow page show from the first moment; the workflow keeps them current.
      typedSearchAttributes: searchAttributePairs(searchAttributesOf(view)),
      staticSummary: onboardingSummary(input),
      staticDetails: onboardingStaticDetails(input),
    });
    firstRunId = handle.firstExecutionRunId;
  } catch (err) {
    // Removed before the open onboarding is looked up, which this row would otherwise be.
    await deleteUnstartedOnboarding(pool, onboardingId);
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const existingId = await findOpenOnboardingId(pool, workflowId);
      throw conflict(`tenant ${body.tenant.partnerProvidedId} already has an open onboarding`, { existingId });
    }
    throw err;
  }
  timing.lap('temporal');
  await recordFirstRunId(pool, onboardingId, firstRunId);
  timing.lap('commit');

  return {
    id: onboardingId,
    workflowId,
    status: 'RUNNING' as const,
    links: {
      self: `${config.publicUrl}/v1/onboardings/${onboardingId}`,
      approvals: `${config.publicUrl}/v1/onboardings/${onboardingId}/approvals`,
      cancel: `${config.publicUrl}/v1/onboardings/${onboardingId}/cancel`,
    },
    ...(webhookSecret ? { webhookSecret } : {}),
  };
}
