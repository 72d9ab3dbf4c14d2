import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { OnboardingRow } from '../db/onboardings';
import { ACTION_REFUSED, DECISION_REFUSED, FINAL_STATUSES, MESSAGE_UNPROVEN, type Proven } from '../domain';
import type { ApiDeps } from './deps';
import { conflict, forbidden, HttpProblem, notFound } from './problem';

export const isFinished = (row: OnboardingRow) => (FINAL_STATUSES as readonly string[]).includes(row.status);

/** The handle of exactly this onboarding's run chain, even when a later onboarding reuses the workflow id. */
export function onboardingHandle(
  deps: ApiDeps,
  row: Pick<OnboardingRow, 'workflow_id' | 'first_run_id'>,
): WorkflowHandle {
  return deps.temporal.workflow.getHandle(
    row.workflow_id,
    undefined,
    row.first_run_id ? { firstExecutionRunId: row.first_run_id } : undefined,
  );
}

const REFUSAL_STATUS: Record<string, number> = {
  [DECISION_REFUSED.notAssigned]: 403,
  [DECISION_REFUSED.ownOnboarding]: 403,
  [DECISION_REFUSED.unknownSubscription]: 404,
  [DECISION_REFUSED.alreadyDecided]: 409,
  [DECISION_REFUSED.notAwaitingApproval]: 409,
  [DECISION_REFUSED.invalidAssignee]: 409,
  [MESSAGE_UNPROVEN]: 403,
  [ACTION_REFUSED.unknownClient]: 404,
  [ACTION_REFUSED.nothingToResend]: 409,
  [ACTION_REFUSED.notFailed]: 409,
  [ACTION_REFUSED.cannotChange]: 409,
  [ACTION_REFUSED.finishing]: 409,
};

/** Turns a workflow's refusal (validator) or absence (finished) into the problem the caller should see. */
export function workflowProblem(err: unknown, row: OnboardingRow): HttpProblem | undefined {
  if (err instanceof WorkflowNotFoundError) return conflict(`the onboarding has finished (${row.status})`);
  return refusalProblem(err);
}

/** An Update's validator refused (a rule's type, domain/approval-rules.ts): the problem the caller sees. */
export function refusalProblem(err: unknown): HttpProblem | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
    return ruleProblem(err.cause.type ?? '', err.cause.message);
  return undefined;
}

/** A rule's refusal by its type, whether the workflow's validator or the API applied the rule. */
export function ruleProblem(type: string, message: string): HttpProblem | undefined {
  const status = REFUSAL_STATUS[type];
  if (status === 403) return forbidden(message);
  if (status === 404) return notFound(message);
  if (status === 409) return conflict(message, { reason: type });
  return undefined;
}

/**
 * Runs an Update on this onboarding (the request's Idempotency-Key as the update id, so a retry gets
 * the first outcome) and turns a refusal or a finished workflow into the problem the caller sees.
 * The input carries the proof bound to this workflow, run and update id (domain/message-proof.ts).
 */
export async function executeOnboardingUpdate<Ret, Arg>(
  deps: ApiDeps,
  row: OnboardingRow,
  update: UpdateDefinition<Ret, [Proven<Arg>]>,
  arg: Arg,
  updateId: string | undefined,
): Promise<Ret> {
  try {
    return await executeProvenUpdate(onboardingHandle(deps, row), row.first_run_id, update, arg, updateId);
  } catch (err) {
    throw workflowProblem(err, row) ?? err;
  }
}

/** Runs an Update on any of our workflows with the proof bound to it (its run when known) and the update id. */
export async function executeProvenUpdate<Ret, Arg>(
  handle: WorkflowHandle,
  firstRunId: string | null,
  update: UpdateDefinition<Ret, [Proven<Arg>]>,
  arg: Arg,
  updateId: string | undefined,
): Promise<Ret> {
  const id = updateId ?? randomUUID();
  const proof = { workflowId: handle.workflowId, firstRunId, message: update.name, nonce: id };
  return handle.executeUpdate(update, { args: [{ ...arg, proof }], updateId: id });
}

/** Signals a workflow with the proof bound to it, its run when known, and a one-time nonce. */
export async function signalWithProof<Arg>(
  handle: WorkflowHandle,
  signal: SignalDefinition<[Proven<Arg>]>,
  arg: Arg,
  firstRunId: string | null,
): Promise<void> {
  const proof = { workflowId: handle.workflowId, firstRunId, message: signal.name, nonce: randomUUID() };
  await handle.signal(signal, { ...arg, proof });
}
