import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  deleteUnstartedAccessChange,
  findPendingAccessChange,
  insertAccessChange,
  nextAccessChangeSeq,
} from '../../db/access-changes';
import { isUniqueViolation } from '../../db/errors';
import { lockIntegrationUser, setInvoiceDataAccess, type ApiUserRow } from '../../db/integration-users';
import { withTransaction } from '../../db/transaction';
import { findFirstTechAm } from '../../db/users';
import {
  accessChangeId,
  needsApproval,
  newAccessChange,
  samePerson,
  type AccessChangeInput,
  type AccessChangeView,
} from '../../domain';
import type { accessChangeWorkflow } from '../../workflows';
import type { ChangeInvoiceAccessBody } from '../api-user-schemas';
import type { Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { badRequest, conflict } from '../problem';
import { approverCheck } from './start-checks';

export interface ChangeInvoiceAccess {
  caller: Caller;
  tenant: { tenantId: string; partnerProvidedId: string; name: string; accountManagerEmail?: unknown };
  user: ApiUserRow;
  body: ChangeInvoiceAccessBody;
}

/**
 * Ongoing WMS: invoice-data access changes on an existing API user. The same value is a no-op; narrowing
 * applies at once; widening is written PENDING (one at a time per user: a second is 409) and handed to the
 * access-change workflow, which asks the approver and applies it only on APPROVE. Each change is a row in
 * access_changes, its audit.
 */
export async function changeInvoiceAccess(
  deps: ApiDeps,
  { caller, tenant, user, body }: ChangeInvoiceAccess,
): Promise<{ status: 200 | 202; change: AccessChangeView | null }> {
  if (user.disabled_at) throw conflict(`API user ${user.username} is disabled: its access no longer changes`);
  const to = body.invoiceDataAccess;
  // Checked again under the row lock below; first without it, so that a no-op or a second widening is
  // answered as such whatever else the body says.
  if (user.invoice_data_access === to) return { status: 200, change: null };
  const waiting = await findPendingAccessChange(deps.pool, user.id);
  if (waiting) throw alreadyWaiting(user, waiting);
  const approver = to ? await approverOf(deps, caller, tenant, body) : null;

  const change = await withTransaction(deps.pool, async (tx) => {
    const current = await lockIntegrationUser(tx, user.id);
    if (current.invoice_data_access === to) return null;
    const pending = await findPendingAccessChange(tx, user.id);
    if (pending) throw alreadyWaiting(user, pending);
    const seq = await nextAccessChangeSeq(tx, user.id);
    const view = newAccessChange(
      {
        id: accessChangeId(tenant.tenantId, user.username, seq),
        tenant: { tenantId: tenant.tenantId, partnerProvidedId: tenant.partnerProvidedId, name: tenant.name },
        username: user.username,
        from: current.invoice_data_access,
        to,
        requestedBy: caller.email,
        requestedAt: new Date().toISOString(),
        reason: body.reason ?? null,
      },
      approver,
    );
    await insertAccessChange(tx, { integrationUserId: user.id, seq, view }).catch((err: unknown) => {
      if (isUniqueViolation(err)) throw conflict(`another change of ${user.username} was just requested; ask again`);
      throw err;
    });
    if (!needsApproval(view.from, view.to)) await setInvoiceDataAccess(tx, user.id, to);
    return view;
  });
  if (!change) return { status: 200, change: null };
  if (change.status !== 'PENDING') return { status: 200, change };

  await startAccessChange(deps, change);
  return { status: 202, change };
}

const alreadyWaiting = (user: ApiUserRow, pending: AccessChangeView) =>
  conflict(`a change of ${user.username}'s invoice data access already waits for ${pending.approval?.approverEmail}`, {
    pendingChange: pending.id,
  });

/** The request's approverEmail, else the tenant's account manager: a registered approver other than the caller. */
async function approverOf(
  deps: ApiDeps,
  caller: Caller,
  tenant: ChangeInvoiceAccess['tenant'],
  body: ChangeInvoiceAccessBody,
): Promise<string> {
  const { email, problems } = await approverCheck(deps, body, tenant);
  if (!email) throw badRequest(`Nobody to approve the change: ${problems.map((p) => p.message).join('; ')}`, problems);
  if (samePerson(email, caller.email))
    throw badRequest('Nobody approves their own request', [
      { path: 'approverEmail', message: `${email} asks for the change and cannot also approve it` },
    ]);
  return email;
}

async function startAccessChange(deps: ApiDeps, view: AccessChangeView): Promise<void> {
  const { approvals, policy, temporal } = deps.config;
  const techAm = approvals.techAmEmail ?? (await findFirstTechAm(deps.pool));
  const input: AccessChangeInput = {
    view,
    escalateTo: approvals.escalationEmails.length > 0 ? [...approvals.escalationEmails] : techAm ? [techAm] : [],
    deadlines: {
      reminderIntervalMs: policy.approvalReminderIntervalMs,
      escalateAfterMs: policy.approvalEscalateAfterMs,
      expireAfterMs: policy.approvalExpireAfterMs,
    },
  };
  try {
    await deps.temporal.workflow.start<typeof accessChangeWorkflow>('accessChangeWorkflow', {
      taskQueue: temporal.taskQueue,
      workflowId: view.id,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (err) {
    // Started already (a retried request that got here twice): it runs, and the row stays.
    if (err instanceof WorkflowExecutionAlreadyStartedError) return;
    await deleteUnstartedAccessChange(deps.pool, view.id);
    throw err;
  }
}
