import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { findOpenOnboardingId, insertStartedOnboarding } from '../db/onboardings';
import { findFirstTechAm } from '../db/users';
import { newWebhookSecret, webhookSecretContext } from '../notify/webhook-signing';
import { initialView, onboardingWorkflowId, plannedSteps, stagesOf, type ApprovalSetup, type OnboardingInput } from '../domain';
import type { onboardingWorkflow } from '../workflows';
import type { Caller } from './auth';
import type { ApiDeps } from './deps';
import { ServerTiming } from './server-timing';
import { conflict, HttpProblem } from './problem';
import type { StartOnboardingBody } from './schemas';

/** The TECH_AM of new onboardings: TECH_AM_EMAIL, else the first registered TECH_AM. */
export async function techAmEmailOf(deps: ApiDeps): Promise<string | null> {
  return deps.config.approvals.techAmEmail ?? (await findFirstTechAm(deps.pool)) ?? null;
}

/**
 * Who decides each subscription, fixed at start (APPROVAL_POLICY), with the TECH_AM (techAmEmailOf)
 * and the escalation list (ESCALATION_EMAILS, else the TECH_AM).
 */
export function approvalSetup(deps: ApiDeps, body: StartOnboardingBody, techAmEmail: string | null): ApprovalSetup {
  const { approvals } = deps.config;
  const stages: ApprovalSetup['stages'] = {};
  for (const code of body.subscriptions) {
    stages[code] = stagesOf(approvals.policy, code);
    if (stages[code].includes('TECH_AM') && !techAmEmail) {
      throw new HttpProblem(422, 'No technical account manager', `${code} needs a TECH_AM's approval and none is registered or configured (TECH_AM_EMAIL)`);
    }
  }
  const escalateTo = approvals.escalationEmails.length > 0 ? [...approvals.escalationEmails] : techAmEmail ? [techAmEmail] : [];
  return { stages, techAmEmail, escalateTo };
}

/** testMode: the plan of steps the onboarding would run, starting nothing. */
export function dryRun(body: StartOnboardingBody, approverEmail: string) {
  return {
    testMode: true,
    valid: true,
    workflowId: onboardingWorkflowId(body.tenant.partnerProvidedId),
    approverEmail,
    plan: plannedSteps(body),
  };
}

/**
 * Writes the read-model row and starts the workflow in one transaction: if Temporal refuses (an
 * open onboarding for this tenant), the row is rolled back and the caller learns the existing id.
 */
export async function startOnboarding(deps: ApiDeps, body: StartOnboardingBody, caller: Caller, approverEmail: string, approval: ApprovalSetup, timing = new ServerTiming()) {
  const { pool, temporal, secrets, config } = deps;
  const onboardingId = randomUUID();
  const workflowId = onboardingWorkflowId(body.tenant.partnerProvidedId);
  const { testMode: _testMode, ...request } = body;
  const input: OnboardingInput = {
    onboardingId,
    request,
    approverEmail,
    startedBy: { userId: caller.id, email: caller.email },
    policy: config.policy,
    approval,
  };
  const webhookSecret = body.notify.webhookUrl ? newWebhookSecret() : undefined;

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await insertStartedOnboarding(client, {
      view: initialView(input, workflowId, new Date().toISOString()),
      startedBy: caller.id,
      notifyEmail: body.notify.email,
      webhookUrl: body.notify.webhookUrl,
      webhookSecretSealed: webhookSecret && secrets.seal(webhookSecret, webhookSecretContext(onboardingId)),
    });
    timing.lap('insert');
    const handle = await temporal.workflow.start<typeof onboardingWorkflow>('onboardingWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
    timing.lap('temporal');
    await client.query('UPDATE onboardings SET first_run_id = $2 WHERE id = $1', [onboardingId, handle.firstExecutionRunId]);
    await client.query('COMMIT');
    timing.lap('commit');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const existingId = await findOpenOnboardingId(pool, workflowId);
      throw conflict(`tenant ${body.tenant.partnerProvidedId} already has an open onboarding`, { existingId });
    }
    throw err;
  } finally {
    client.release();
  }

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
