import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { findLatestCollectorLink } from '../../db/collector-links';
import { findKitState } from '../../db/kits';
import { hasWebhookSecret, type OnboardingRow } from '../../db/onboardings';
import { reconnectWorkflowId, type ReconnectClientInput } from '../../domain';
import { egressProblem } from '../../lib/egress';
import { isWorkflowRunning } from '../../lib/workflow-running';
import type { reconnectClientWorkflow, resendFinishedLinkWorkflow } from '../../workflows';
import { amendOnboardingUpdate, resendLinkUpdate, retryClientUpdate } from '../../workflows/messages';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import type { AmendOnboardingBody, ResendBody } from '../onboarding-action-schemas';
import { executeOnboardingUpdate, executeProvenUpdate, isFinished } from '../onboarding-handle';
import { badRequest, conflict, notFound } from '../problem';

/**
 * Resending, retrying and amending an onboarding. While it runs, each is an Update on its workflow,
 * whose validator has the final word; once it has finished, a small workflow of its own (the kit and
 * password links) or the reconnect workflow (a client) does the work. Either way the API writes nothing.
 */

interface Action<Body> {
  caller: Caller;
  row: OnboardingRow;
  body: Body;
  idempotencyKey?: string;
}

const knownClient = (row: OnboardingRow, id: string) => {
  if (!row.view.clients.some((c) => c.partnerProvidedId === id))
    throw notFound(`no client ${id} in onboarding ${row.id}`);
};

export async function resendLink(deps: ApiDeps, { caller, row, body, idempotencyKey }: Action<ResendBody>) {
  if (body.client) knownClient(row, body.client);
  const answer = { id: row.id, kind: body.kind, status: 'RESENT' as const };
  if (!isFinished(row)) {
    const { resent } = await executeOnboardingUpdate(
      deps,
      row,
      resendLinkUpdate,
      { kind: body.kind, client: body.client, requestedBy: caller.email },
      idempotencyKey,
    );
    if (!resent) throw conflict('the link was used or expired meanwhile: nothing to resend');
    return answer;
  }
  if (body.kind === 'COLLECTOR') return resendReconnectLink(deps, { caller, row, body, idempotencyKey });
  if (body.kind !== 'KIT' && body.kind !== 'SET_PASSWORD')
    throw conflict(`the onboarding has finished (${row.status}): there is no ${body.kind} to resend`);
  const kit = row.status === 'COMPLETED' ? await findKitState(deps.pool, row.id) : undefined;
  if (!kit?.delivered) throw conflict(`the onboarding ended ${row.status} without a kit`);
  if (body.kind === 'KIT' && (kit.opened_at || !kit.secret_sealed))
    throw conflict('the kit was opened: its secret was revealed once; rotate the client secret instead');
  if (body.kind === 'SET_PASSWORD' && !kit.opened_at)
    throw conflict('the set-password link travels inside the kit, which is unopened: resend the kit');
  if (body.kind === 'SET_PASSWORD' && kit.password_set_at) throw conflict('the password is already set');
  try {
    await deps.temporal.workflow.start<typeof resendFinishedLinkWorkflow>('resendFinishedLinkWorkflow', {
      taskQueue: deps.config.temporal.taskQueue,
      // The request's key names the workflow, so a retried request starts it once.
      workflowId: `resend-${row.id}-${body.kind}-${idempotencyKey ?? randomUUID()}`,
      args: [
        { onboardingId: row.id, kind: body.kind, requestedBy: caller.email, ttlMs: deps.config.policy.kitLinkTtlMs },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return answer;
}

/** After the onboarding, a collector link can only be waiting in a reconnect: that workflow resends it. */
async function resendReconnectLink(deps: ApiDeps, { caller, row, body, idempotencyKey }: Action<ResendBody>) {
  const last = await findLatestCollectorLink(deps.pool, row.id, body.client!);
  const nothing = conflict(`the onboarding has finished (${row.status}) and no reconnect of ${body.client} is waiting`);
  if (!last?.workflow_id.startsWith('reconnect-')) throw nothing;
  try {
    const { resent } = await executeProvenUpdate(
      deps.temporal.workflow.getHandle(last.workflow_id),
      null,
      resendLinkUpdate,
      { kind: body.kind, client: body.client, requestedBy: caller.email },
      idempotencyKey,
    );
    if (!resent) throw nothing;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) throw nothing;
    throw err;
  }
  return { id: row.id, kind: body.kind, status: 'RESENT' as const };
}

export async function retryClient(
  deps: ApiDeps,
  { caller, row, body, idempotencyKey }: Action<{ partnerProvidedId: string }>,
) {
  const id = body.partnerProvidedId;
  knownClient(row, id);
  const answer = { id: row.id, partnerProvidedId: id, status: 'RETRYING' as const };
  if (!isFinished(row)) {
    await executeOnboardingUpdate(
      deps,
      row,
      retryClientUpdate,
      { partnerProvidedId: id, requestedBy: caller.email },
      idempotencyKey,
    );
    return answer;
  }
  if (row.status !== 'COMPLETED') throw conflict(`the onboarding ended ${row.status}: there is nothing to connect`);
  const client = row.view.clients.find((c) => c.partnerProvidedId === id)!;
  if (client.connectivity !== 'FAILED') throw conflict(`client ${id} is ${client.connectivity}`);
  const last = await findLatestCollectorLink(deps.pool, row.id, id);
  if (!last?.recipient) throw conflict(`client ${id} has no contact to send a collector link to`);
  // A reconnect that cannot be asked about is taken for ended, as before: starting one then fails as Temporal does.
  const running = (workflowId: string) => isWorkflowRunning(deps.temporal, workflowId).catch(() => false);
  if (last.workflow_id.startsWith('reconnect-') && (await running(last.workflow_id)))
    throw conflict(`a reconnect of client ${id} is already waiting for its credentials: resend its link instead`);
  // After the onboarding: the reconnect workflow, exactly as re-verification starts it, with links numbered after the last.
  const input: ReconnectClientInput = {
    onboardingId: row.id,
    client: { partnerProvidedId: id, name: last.client_name, contactEmail: last.recipient, portalUrl: last.portal_url },
    firstAttempt: last.attempt + 1,
    policy: deps.config.policy,
    requestedBy: caller.email,
  };
  try {
    await deps.temporal.workflow.start<typeof reconnectClientWorkflow>('reconnectClientWorkflow', {
      taskQueue: deps.config.temporal.taskQueue,
      workflowId: reconnectWorkflowId(input),
      args: [input],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return answer;
}

export async function amendOnboarding(
  deps: ApiDeps,
  { caller, row, body, idempotencyKey }: Action<AmendOnboardingBody>,
) {
  for (const c of body.clients ?? []) knownClient(row, c.partnerProvidedId);
  if (isFinished(row)) throw conflict(`the onboarding has finished (${row.status}): nothing can change any more`);
  // gangway will call these URLs: the same egress rules as at the start (lib/egress.ts checks again at connect time).
  const urls: [string, string | undefined][] = [
    ['notify.webhookUrl', body.notify?.webhookUrl],
    ...(body.clients ?? []).map((c, i): [string, string | undefined] => [`clients.${i}.portalUrl`, c.portalUrl]),
  ];
  const problems = [];
  for (const [path, url] of urls) {
    const refused = url && (await egressProblem(url, { allowedHosts: deps.config.egress.allowedHosts }));
    if (refused) problems.push({ path, message: refused });
  }
  if (problems.length > 0) throw badRequest('Refused URL', problems);
  if (body.notify?.webhookUrl && !(await hasWebhookSecret(deps.pool, row.id)))
    throw conflict('the onboarding was started without a webhook, so it has no signing secret to sign with');
  return executeOnboardingUpdate(
    deps,
    row,
    amendOnboardingUpdate,
    { ...body, requestedBy: caller.email },
    idempotencyKey,
  );
}
