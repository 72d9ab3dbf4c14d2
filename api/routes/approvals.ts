import { Router } from 'express';
import { listApprovalTasks } from '../../db/onboardings';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { ApprovalsQuery, parse } from '../schemas';

/** The caller's own approval tasks, oldest first: what has waited longest comes first. */
export function approvalRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/v1/approvals', authenticate(deps.tokens), requireRole('approver', 'admin'), async (req, res) => {
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
        waitingSeconds: Math.round((now - (t.approval.assignedAt ? Date.parse(t.approval.assignedAt) : t.created_at.getTime())) / 1000),
        ...t.approval,
      })),
    });
  });
  return router;
}
