import { Router, type Request } from 'express';
import { listApprovalTasks } from '../../db/onboardings';
import { findUserByEmail } from '../../db/users';
import { decideApprovalUpdate, delegateApprovalUpdate, reassignApprovalUpdate } from '../../workflows/messages';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { executeOnboardingUpdate } from '../onboarding-handle';
import { badRequest, forbidden } from '../problem';
import { ApprovalsQuery, DecisionBody, parse, ReassignBody } from '../schemas';
import { idempotencyKey, loadOnboardingRow, mayDecide } from './onboardings';

/**
 * Approvals: an approver's tasks, deciding one subscription, and handing a task on (admins
 * reassign, approvers delegate). Decisions and hand-overs are Updates, whose validator in the
 * workflow has the final, race-free word; the checks here give strangers a quick answer.
 */
export function approvalRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticate(deps.tokens);

  /** The caller's own approval tasks, oldest first: what has waited longest comes first. */
  router.get('/v1/approvals', auth, requireRole('approver', 'admin'), async (req, res) => {
    const { status } = parse(ApprovalsQuery, req.query);
    const caller = callerOf(req);
    const now = Date.now();
    const tasks = await listApprovalTasks(deps.pool, caller.email, status);
    res.json({
      items: tasks.map((t) => ({
        onboardingId: t.onboarding_id,
        tenant: t.tenant,
        requestedBy: t.started_by,
        requestedAt: t.created_at.toISOString(),
        // Since the current approver was asked (a reassignment or a new stage starts the clock again).
        waitingSeconds: Math.round(
          (now - (t.approval.assignedAt ? Date.parse(t.approval.assignedAt) : t.created_at.getTime())) / 1000,
        ),
        ...t.approval,
      })),
    });
  });

  router.post('/v1/onboardings/:id/approvals', auth, async (req, res) => {
    const caller = callerOf(req);
    const row = await loadOnboardingRow(deps, req);
    const body = parse(DecisionBody, req.body);
    const approval = row.view.approvals.find((a) => a.subscription === body.subscription);
    if (!approval)
      throw badRequest('Not requested', [
        { path: 'subscription', message: `${body.subscription} was not requested in this onboarding` },
      ]);
    if (!mayDecide(caller, approval)) throw forbidden(`${body.subscription} is assigned to another approver`);
    res.json(
      await executeOnboardingUpdate(
        deps,
        row,
        decideApprovalUpdate,
        { ...body, decidedBy: caller.email },
        idempotencyKey(req),
      ),
    );
  });

  /** Parses the body and checks the new assignee is a registered approver, before anything reaches the workflow. */
  async function handOver(req: Request) {
    const row = await loadOnboardingRow(deps, req);
    const body = parse(ReassignBody, req.body);
    if (!row.view.approvals.some((a) => a.subscription === body.subscription)) {
      throw badRequest('Not requested', [
        { path: 'subscription', message: `${body.subscription} was not requested in this onboarding` },
      ]);
    }
    const to = await findUserByEmail(deps.pool, body.to);
    if (!to || (to.role !== 'approver' && to.role !== 'admin'))
      throw badRequest('Not an approver', [{ path: 'to', message: `${body.to} is not a registered approver` }]);
    return { row, body: { ...body, to: to.email } };
  }

  router.post('/v1/onboardings/:id/reassignments', auth, requireRole('admin'), async (req, res) => {
    const { row, body } = await handOver(req);
    res.json(
      await executeOnboardingUpdate(
        deps,
        row,
        reassignApprovalUpdate,
        { ...body, requestedBy: callerOf(req).email },
        idempotencyKey(req),
      ),
    );
  });

  router.post('/v1/onboardings/:id/delegations', auth, requireRole('approver', 'admin'), async (req, res) => {
    const caller = callerOf(req);
    const { row, body } = await handOver(req);
    const approval = row.view.approvals.find((a) => a.subscription === body.subscription)!;
    if (approval.approverEmail.toLowerCase() !== caller.email.toLowerCase())
      throw forbidden(`only ${body.subscription}'s assigned approver may delegate it`);
    res.json(
      await executeOnboardingUpdate(
        deps,
        row,
        delegateApprovalUpdate,
        { ...body, requestedBy: caller.email },
        idempotencyKey(req),
      ),
    );
  });

  return router;
}
