import { Router, type Request } from 'express';
import { listApprovalTasks, listDecidedApprovals, type ApprovalTaskRow } from '../../db/onboardings';
import { approvalDeadlines, type ApprovalView, type OnboardingPolicy } from '../../domain';
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

  /**
   * The caller's own approval tasks, oldest first (what has waited longest comes first), or with
   * scope=decided the tasks they decided, latest first. Each carries what the decision is about.
   */
  router.get('/v1/approvals', auth, requireRole('approver', 'admin'), async (req, res) => {
    const { status, scope } = parse(ApprovalsQuery, req.query);
    const caller = callerOf(req);
    const now = Date.now();
    const tasks =
      scope === 'decided'
        ? await listDecidedApprovals(deps.pool, caller.email, DECIDED_PAGE)
        : await listApprovalTasks(deps.pool, caller.email, status);
    res.json({
      items: tasks.map((t) => ({
        ...approvalTask(t, deps.config.policy),
        // Since the current approver was asked (a reassignment or a new stage starts the clock again).
        waitingSeconds: Math.round(
          (now - (t.approval.assignedAt ? Date.parse(t.approval.assignedAt) : t.created_at.getTime())) / 1000,
        ),
        ...(scope === 'decided' ? { myDecisions: myDecisions(t.approval, caller.email) } : {}),
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

/** The "decided by me" tab shows this many tasks: enough for weeks of decisions, bounded for the page. */
const DECIDED_PAGE = 100;

/** One task and what it is about: the customer, every subscription asked for, invoice access, the deadlines. */
function approvalTask(t: ApprovalTaskRow, policy: OnboardingPolicy) {
  const { view, approval } = t;
  return {
    onboardingId: t.onboarding_id,
    onboardingStatus: view.status,
    tenant: { ...view.tenant, plan: t.plan },
    requestedBy: view.startedBy,
    requestedAt: t.created_at.toISOString(),
    ...approval,
    requestedSubscriptions: view.approvals.map((a) => ({
      subscription: a.subscription,
      status: a.status,
      stage: a.stage ?? 'AM',
    })),
    invoiceDataAccess: t.invoice_data_access,
    ...approvalDeadlines(view.steps, approval, policy),
  };
}

const myDecisions = (approval: ApprovalView, email: string) =>
  (approval.decisions ?? []).filter((d) => d.decidedBy.toLowerCase() === email.toLowerCase());
