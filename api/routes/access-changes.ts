import { WorkflowNotFoundError } from '@temporalio/client';
import { Router, type Request } from 'express';
import { findAccessChange, listApproverAccessChanges } from '../../db/access-changes';
import {
  RuleRefusal,
  samePerson,
  validateAccessDecision,
  type AccessChangeView,
  type DecideAccessChangeInput,
} from '../../domain';
import { decideAccessChangeUpdate } from '../../workflows/messages';
import { AccessChangeParams, AccessChangesQuery, AccessDecisionBody } from '../api-user-schemas';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { executeProvenUpdate, refusalProblem, ruleProblem } from '../onboarding-handle';
import { conflict, forbidden, notFound } from '../problem';
import { parse } from '../schemas';
import { idempotencyKey } from './onboardings';

/**
 * Widenings of invoice data access waiting for an approver: their list, one of them, and the decision, an
 * Update on the change's workflow whose validator has the final word (the checks here answer strangers fast).
 */
export function accessChangeRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticate(deps.tokens);

  async function changeOf(req: Request): Promise<AccessChangeView> {
    const { id } = parse(AccessChangeParams, req.params);
    const change = await findAccessChange(deps.pool, id);
    if (!change) throw notFound(`no access change ${id}`);
    return change;
  }
  /**
   * Once the workflow has closed, the same rules answer from the stored change: the approver repeating their
   * decision gets the change back, any other answer is refused as the validator would have refused it.
   */
  function decidedAlready(change: AccessChangeView, input: DecideAccessChangeInput): AccessChangeView {
    try {
      validateAccessDecision(change, input);
    } catch (err) {
      if (err instanceof RuleRefusal) throw ruleProblem(err.type, err.message) ?? conflict(err.message);
      throw err;
    }
    if (change.status === 'PENDING') throw conflict('the access change is being decided; ask again');
    return change;
  }
  const isApprover = (change: AccessChangeView, email: string) => samePerson(change.approval?.approverEmail, email);

  router.get('/v1/access-changes', auth, requireRole('approver', 'admin'), async (req, res) => {
    const { status } = parse(AccessChangesQuery, req.query);
    res.json({ items: await listApproverAccessChanges(deps.pool, callerOf(req).email, status) });
  });

  router.get('/v1/access-changes/:id', auth, async (req, res) => {
    const caller = callerOf(req);
    const change = await changeOf(req);
    const staff = caller.role === 'staff' || caller.role === 'admin';
    if (!staff && !isApprover(change, caller.email)) throw forbidden('only staff and its approver see this change');
    res.json(change);
  });

  router.post('/v1/access-changes/:id/approvals', auth, async (req, res) => {
    const caller = callerOf(req);
    const change = await changeOf(req);
    const body = parse(AccessDecisionBody, req.body);
    if (!change.approval) throw conflict('a narrowing applies at once: nobody decides it');
    if (!isApprover(change, caller.email) && !samePerson(change.requestedBy, caller.email))
      throw forbidden('the change is assigned to another approver');
    const input = { ...body, decidedBy: caller.email };
    if (change.status !== 'PENDING') return res.json(decidedAlready(change, input));
    try {
      res.json(
        await executeProvenUpdate(
          deps.temporal.workflow.getHandle(change.id),
          null,
          decideAccessChangeUpdate,
          input,
          idempotencyKey(req),
        ),
      );
    } catch (err) {
      // Closed meanwhile: the stored change answers, as for any decided change.
      if (err instanceof WorkflowNotFoundError) return res.json(decidedAlready(await changeOf(req), input));
      throw refusalProblem(err) ?? err;
    }
  });

  return router;
}
