import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { deleteUnstartedOnboarding, findOpenOnboardingId, insertStartedOnboarding } from '../../db/onboardings';
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
import { describeWorkflow } from '../../lib/workflow-running';
import { searchAttributePairs } from '../../workflows/search-attributes';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { idempotent, UnsettledWrite, type Answer, type Settled } from '../idempotent';
import { badRequest, conflict, HttpProblem, neverReachedTemporal } from '../problem';
import type { StartOnboardingBody } from '../schemas';
import { asksTestMode } from '../tenant-schemas';
import { ServerTiming } from '../server-timing';
import { expansionProblems } from './expansion-checks';
import { requireScopeAllowed, startProblems, type CheckedStart } from './start-checks';

type LiveTenantLookup = NonNullable<CheckedStart['liveTenant']>;

export interface StartCommand {
  caller: Caller;
  body: unknown;
  idempotencyKey?: string;
  /**
   * The caller's rate limit (api/limits.ts), counted while the start's own lookups run: it is awaited
   * before anything is written, and its refusal (429) wins over any other answer.
   */
  admitted?: Promise<void>;
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
 * the webhook secret); every start rule is checked at once (for a first onboarding in one query, the
 * live-customer refusal included); testMode answers with the plan. Otherwise the read-model row is
 * inserted (one statement, committed by itself) and the workflow started with no connection held: two
 * round trips to PostgreSQL in sequence and one to Temporal (the workflow's first projection records its
 * run id). Server-Timing names these phases checks, insert, temporal and idempotency.
 */
export async function startOnboarding(
  deps: ApiDeps,
  { caller, body: raw, idempotencyKey: key, admitted = Promise.resolve() }: StartCommand,
): Promise<StartAnswer> {
  const timing = new ServerTiming();
  // Handled at once, so that a refusal while the lookups run is no unhandled rejection; awaited below.
  admitted.catch(() => undefined);
  let location: string | undefined;
  const answer = await idempotent(
    deps,
    {
      caller,
      key,
      route: 'POST /v1/onboardings',
      body: raw,
      sealed: true,
      timing,
      settle: (pending) => settleStart(deps, pending.body as StartedOnboarding),
    },
    async () => {
      const { status, body, self } = await start(deps, caller, raw, timing, admitted);
      location = self;
      return { status, body };
    },
  ).finally(() => admitted);
  // Only a start made now says where it went and how long it took; a repeat answers as stored.
  return location ? { ...answer, location, serverTiming: timing.header() } : answer;
}

async function start(
  deps: ApiDeps,
  caller: Caller,
  raw: unknown,
  timing: ServerTiming,
  admitted: Promise<void>,
): Promise<Answer & { self?: string }> {
  requireScopeAllowed(raw, caller);
  const expanding = isExpansionBody(raw);
  // A first onboarding's rules, its TECH_AM and what refuses a live customer are one query (startProblems).
  const { body, approverEmail, problems, expansion, techAmEmail, liveTenant } = expanding
    ? await checkExpansion(deps, raw)
    : { ...(await startProblems(deps, raw)), expansion: undefined };
  if (!body || !approverEmail) {
    const problem = badRequest(
      `The start is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
    // A dry run reports the plan beside every problem, so one call shows all that must change.
    if (asksTestMode(raw)) Object.assign(problem.extra, { testMode: true, valid: false, plan: plannedSteps(raw) });
    throw problem;
  }
  if (liveTenant) refuseLiveTenant(body.tenant.partnerProvidedId, liveTenant);
  if (body.testMode) return { status: 200, body: dryRun(body, raw, approverEmail) };
  timing.lap('checks');

  const approval = approvalSetup(deps, body, techAmEmail);
  await admitted;
  const started = await launch(deps, { body, expansion }, caller, approverEmail, approval, timing);
  return { status: 202, body: started, self: started.links.self };
}

/**
 * An expansion's rules, with the TECH_AM of new onboardings (TECH_AM_EMAIL, else the first registered
 * TECH_AM) looked up beside them, not after them. A live customer is what an expansion needs, so nothing
 * refuses one here.
 */
async function checkExpansion(deps: ApiDeps, raw: unknown) {
  const [checked, techAmEmail] = await Promise.all([
    expansionProblems(deps, raw),
    deps.config.approvals.techAmEmail ?? findFirstTechAm(deps.pool).then((email) => email ?? null),
  ]);
  return { ...checked, techAmEmail, liveTenant: undefined };
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
 * anything starts, naming it and the two ways on (an expansion, or an offboarding first). An open
 * onboarding for it is refused first. What decides was read with the start rules (startProblems).
 */
function refuseLiveTenant(partnerProvidedId: string, { openOnboardingId, tenant }: LiveTenantLookup): void {
  if (openOnboardingId)
    throw conflict(`tenant ${partnerProvidedId} already has an open onboarding`, { existingId: openOnboardingId });
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
 * tenant) or was never reached, the row is removed again, and a refusal names the open onboarding's
 * id. A failure that may have come after Temporal started the run (a deadline, a lost answer) is
 * settled by asking Temporal: a run this start made is answered 202 like any other, with its webhook
 * secret, instead of leaving a run whose secret nobody has.
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

  const started: StartedOnboarding = {
    id: onboardingId,
    workflowId,
    status: 'RUNNING',
    links: {
      self: `${config.publicUrl}/v1/onboardings/${onboardingId}`,
      approvals: `${config.publicUrl}/v1/onboardings/${onboardingId}/approvals`,
      cancel: `${config.publicUrl}/v1/onboardings/${onboardingId}/cancel`,
    },
    ...(webhookSecret ? { webhookSecret } : {}),
  };

  const view = initialView(input, workflowId, new Date().toISOString());
  await insertStartedOnboarding(pool, {
    view,
    startedBy: caller.id,
    notifyEmail: body.notify.email,
    webhookUrl: body.notify.webhookUrl,
    webhookSecretSealed: webhookSecret && secrets.seal(webhookSecret, webhookSecretContext(onboardingId)),
  });
  timing.lap('insert');
  try {
    await temporal.workflow.start<typeof onboardingWorkflow>('onboardingWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      // What Temporal's list and workflow page show from the first moment; the workflow keeps them current.
      typedSearchAttributes: searchAttributePairs(searchAttributesOf(view)),
      staticSummary: onboardingSummary(input),
      staticDetails: onboardingStaticDetails(input),
      // Which start made the run: a start whose answer was lost asks (startedHere).
      memo: { onboardingId },
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // Removed before the open onboarding is looked up, which this row would otherwise be.
      await deleteUnstartedOnboarding(pool, onboardingId);
      const existingId = await findOpenOnboardingId(pool, workflowId);
      throw conflict(`tenant ${body.tenant.partnerProvidedId} already has an open onboarding`, { existingId });
    }
    const settled = await settleStart(deps, started, { reachedTemporal: !neverReachedTemporal(err) });
    // Unknown: the row, with its webhook secret, stays for the run that may exist; housekeeping removes
    // it if none does (RELIABILITY.md). The caller is told the start failed (503), and a repeat with the
    // same Idempotency-Key settles it again for this answer or a start made afresh.
    if (settled === 'unknown') throw new UnsettledWrite({ status: 202, body: started }, err);
    if (settled === 'not made') throw err;
  }
  timing.lap('temporal');
  return started;
}

/** The 202's body. */
interface StartedOnboarding {
  id: string;
  workflowId: string;
  status: 'RUNNING';
  links: { self: string; approvals: string; cancel: string };
  webhookSecret?: string;
}

/**
 * What became of a start whose Temporal call failed, at once or on a repeat with its Idempotency-Key:
 * Temporal is asked whether the run under the workflow id is this start's (not when the call never
 * reached it). If it is, the answer stands (with its webhook secret); if none is, the row is removed (and a
 * repeat starts afresh); if Temporal cannot say, the row stays and the answer is 503.
 */
async function settleStart(
  deps: ApiDeps,
  { id, workflowId }: StartedOnboarding,
  { reachedTemporal = true } = {},
): Promise<Settled> {
  const here = reachedTemporal ? await startedHere(deps.temporal, workflowId, id) : false;
  if (here === undefined) return 'unknown';
  if (here) return 'made';
  await deleteUnstartedOnboarding(deps.pool, id);
  return 'not made';
}

/** Asking after a failed start gets a deadline of its own: the request's may be what ran out. */
const SETTLE_DEADLINE_MS = 5_000;

/**
 * Whether the run under this workflow id is the one this start made (its memo names the onboarding):
 * true or false, or undefined when Temporal cannot be asked either.
 */
async function startedHere(temporal: Client, workflowId: string, onboardingId: string): Promise<boolean | undefined> {
  try {
    const run = await temporal.withDeadline(Date.now() + SETTLE_DEADLINE_MS, () =>
      describeWorkflow(temporal, workflowId),
    );
    return run?.memo?.onboardingId === onboardingId;
  } catch {
    return undefined;
  }
}
