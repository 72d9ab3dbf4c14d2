import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import {
  deleteUnstartedOffboarding,
  findRunningOffboarding,
  insertStartedOffboarding,
  type OffboardingRow,
} from '../../db/offboardings';
import { insertSecurityEvent } from '../../db/security-events';
import { findTenantVersion, resolveTenantId } from '../../db/tenants';
import { initialOffboardingView, offboardingWorkflowId, type OffboardingInput } from '../../domain';
import type { offboardingWorkflow } from '../../workflows';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../problem';

export interface OffboardCommand {
  caller: Caller;
  identifier: string;
  reason: string;
}

/**
 * Starts the offboarding of a live tenant, or answers the one already running for it (a repeated request
 * starts nothing). The read-model row is written first: its one-running-per-tenant index decides a race
 * between two requests, and the loser answers with the winner's offboarding.
 */
export async function offboardTenant(deps: ApiDeps, { caller, identifier, reason }: OffboardCommand) {
  const { pool, temporal, config } = deps;
  const tenantId = await resolveTenantId(pool, identifier);
  const tenant = tenantId && (await findTenantVersion(pool, tenantId));
  if (!tenant) throw notFound(`no tenant ${identifier}`);
  const running = await findRunningOffboarding(pool, tenant.tenantId);
  if (running) return answer(deps, running);
  if (tenant.archived) throw conflict(`tenant ${identifier} is archived already`, { tenantId: tenant.tenantId });

  const partnerProvidedId = String(tenant.partnerProvidedId);
  const input: OffboardingInput = {
    offboardingId: randomUUID(),
    tenant: { tenantId: tenant.tenantId, partnerProvidedId, name: String(tenant.name) },
    reason,
    requestedBy: caller.email,
  };
  const workflowId = offboardingWorkflowId(partnerProvidedId);
  const view = initialOffboardingView(input, workflowId, new Date().toISOString());
  if (!(await insertStartedOffboarding(pool, view, tenant.tenantId))) return answerRunning(deps, tenant.tenantId);
  await insertSecurityEvent(pool, {
    event: 'tenant_offboard_requested',
    actor: caller.email,
    subject: tenant.tenantId,
    reason,
    detail: { offboardingId: input.offboardingId, partnerProvidedId },
  });
  try {
    await temporal.workflow.start<typeof offboardingWorkflow>('offboardingWorkflow', {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (err) {
    await deleteUnstartedOffboarding(pool, input.offboardingId);
    if (err instanceof WorkflowExecutionAlreadyStartedError) return answerRunning(deps, tenant.tenantId);
    throw err;
  }
  return { id: input.offboardingId, workflowId, status: 'RUNNING', links: links(deps, input.offboardingId) };
}

async function answerRunning(deps: ApiDeps, tenantId: string) {
  const running = await findRunningOffboarding(deps.pool, tenantId);
  if (!running) throw conflict('an offboarding of this tenant has just been started; ask again');
  return answer(deps, running);
}

const answer = (deps: ApiDeps, row: OffboardingRow) => ({
  id: row.id,
  workflowId: row.workflow_id,
  status: row.status,
  links: links(deps, row.id),
});

const links = (deps: ApiDeps, id: string) => ({ self: `${deps.config.publicUrl}/v1/offboardings/${id}` });
