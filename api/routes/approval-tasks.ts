import { Router, type Request } from 'express';
import { listAuditEvents } from '../../db/audit';
import { findUserByEmail } from '../../db/users';
import { delegateApprovalUpdate, reassignApprovalUpdate } from '../../workflows/messages';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { executeOnboardingUpdate } from '../onboarding-handle';
import { badRequest, forbidden } from '../problem';
import { parse, ReassignBody } from '../schemas';
import { idempotencyKey, loadOnboardingRow, mayRead } from './onboardings';

/** Handing approval tasks on (admins reassign, approvers delegate) and reading the audit trail. */
export function approvalTaskRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticate(deps.tokens);

  /** Parses the body and checks the new assignee is a registered approver, before anything reaches the workflow. */
  async function handOver(req: Request) {
    const row = await loadOnboardingRow(deps, req);
    const body = parse(ReassignBody, req.body);
    if (!row.view.approvals.some((a) => a.subscription === body.subscription)) {
      throw badRequest('Not requested', [{ path: 'subscription', message: `${body.subscription} was not requested in this onboarding` }]);
    }
    const to = await findUserByEmail(deps.pool, body.to);
    if (!to || (to.role !== 'approver' && to.role !== 'admin')) throw badRequest('Not an approver', [{ path: 'to', message: `${body.to} is not a registered approver` }]);
    return { row, body: { ...body, to: to.email } };
  }

  router.post('/v1/onboardings/:id/reassignments', auth, requireRole('admin'), async (req, res) => {
    const { row, body } = await handOver(req);
    res.json(await executeOnboardingUpdate(deps, row, reassignApprovalUpdate, { ...body, requestedBy: callerOf(req).email }, idempotencyKey(req)));
  });

  router.post('/v1/onboardings/:id/delegations', auth, requireRole('approver', 'admin'), async (req, res) => {
    const caller = callerOf(req);
    const { row, body } = await handOver(req);
    const approval = row.view.approvals.find((a) => a.subscription === body.subscription)!;
    if (approval.approverEmail.toLowerCase() !== caller.email.toLowerCase()) throw forbidden(`only ${body.subscription}'s assigned approver may delegate it`);
    res.json(await executeOnboardingUpdate(deps, row, delegateApprovalUpdate, { ...body, requestedBy: caller.email }, idempotencyKey(req)));
  });

  router.get('/v1/onboardings/:id/audit', auth, async (req, res) => {
    const row = await loadOnboardingRow(deps, req);
    if (!mayRead(callerOf(req), row)) throw forbidden('Only staff and the onboarding’s approvers may read its audit trail');
    const events = await listAuditEvents(deps.pool, row.id);
    res.json({
      onboardingId: row.id,
      items: events.map((e) => ({
        occurredAt: e.occurred_at.toISOString(),
        actor: e.actor,
        action: e.action,
        subscription: e.subscription,
        reason: e.reason,
        detail: e.detail,
      })),
    });
  });

  return router;
}
