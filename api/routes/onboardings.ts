import { createHash } from 'node:crypto';
import { Router, type Request } from 'express';
import { findStoredResponse, storeResponse } from '../../db/idempotency';
import { findOnboarding, listOnboardings, type OnboardingRow } from '../../db/onboardings';
import { cancelSignal, decideApprovalUpdate } from '../../workflows/messages';
import { plannedSteps, type ApprovalView } from '../../domain';
import { authenticate, callerOf, requireRole, type Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { executeOnboardingUpdate, isFinished, onboardingHandle, workflowProblem } from '../onboarding-handle';
import { badRequest, conflict, forbidden, HttpProblem, notFound } from '../problem';
import { CancelBody, DecisionBody, ListOnboardingsQuery, parse } from '../schemas';
import { ServerTiming } from '../server-timing';
import { requireScopeAllowed, startProblems } from '../start-checks';
import { approvalSetup, dryRun, startOnboarding, techAmEmailOf } from '../start-onboarding';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function onboardingRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticate(deps.tokens);
  const staff = requireRole('staff', 'admin');

  const loadOnboarding = (req: Request) => loadOnboardingRow(deps, req);

  router.post('/v1/onboardings', auth, staff, async (req, res) => {
    const timing = new ServerTiming();
    const caller = callerOf(req);
    const key = idempotencyKey(req);
    const requestHash = createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex');
    const sealContext = `idempotency:${caller.id}:${key}`;
    if (key) {
      const stored = await findStoredResponse(deps.pool, caller.id, key);
      if (stored && stored.requestHash !== requestHash) {
        throw new HttpProblem(422, 'Idempotency key reused', 'This Idempotency-Key was used with a different body');
      }
      // The first answer may hold the webhook secret, so it is kept sealed.
      if (stored) return res.status(stored.statusCode).json(JSON.parse(deps.secrets.open((stored.response as { sealed: string }).sealed, sealContext)));
    }
    requireScopeAllowed(req.body, caller);
    const testMode = (req.body as { testMode?: unknown } | undefined)?.testMode === true;
    // The TECH_AM is looked up beside the start rules' lookups, not after them: one round trip less per start.
    const [{ body, approverEmail, problems }, techAmEmail] = await Promise.all([startProblems(deps, req.body), techAmEmailOf(deps)]);
    if (!body || !approverEmail) {
      const problem = badRequest(`The start is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
      // A dry run reports the plan beside every problem, so one call shows all that must change.
      if (testMode) Object.assign(problem.extra, { testMode: true, valid: false, plan: plannedSteps(req.body) });
      throw problem;
    }
    if (body.testMode) return res.status(200).json(dryRun(body, approverEmail));
    timing.lap('checks');

    const started = await startOnboarding(deps, body, caller, approverEmail, approvalSetup(deps, body, techAmEmail), timing);
    if (key) {
      await storeResponse(deps.pool, caller.id, key, { requestHash, statusCode: 202, response: { sealed: deps.secrets.seal(JSON.stringify(started), sealContext) } });
      timing.lap('idempotency');
    }
    res.status(202).location(started.links.self).set('Server-Timing', timing.header()).json(started);
  });

  router.get('/v1/onboardings', auth, staff, async (req, res) => {
    const query = parse(ListOnboardingsQuery, req.query);
    const rows = await listOnboardings(deps.pool, { ...query, after: query.cursor ? decodeCursor(query.cursor) : undefined });
    const last = rows.length === query.limit ? rows[rows.length - 1] : undefined;
    res.json({ items: rows.map((r) => r.view), nextCursor: last ? encodeCursor(last) : null });
  });

  router.get('/v1/onboardings/:id', auth, async (req, res) => {
    const row = await loadOnboarding(req);
    if (!mayRead(callerOf(req), row)) throw forbidden('Only staff and the onboarding’s approvers may read it');
    res.json(row.view);
  });

  router.post('/v1/onboardings/:id/approvals', auth, async (req, res) => {
    const caller = callerOf(req);
    const row = await loadOnboarding(req);
    const body = parse(DecisionBody, req.body);
    const approval = row.view.approvals.find((a) => a.subscription === body.subscription);
    if (!approval) throw badRequest('Not requested', [{ path: 'subscription', message: `${body.subscription} was not requested in this onboarding` }]);
    // A quick answer for strangers; the workflow's validator has the final, race-free word.
    if (!mayDecide(caller, approval)) throw forbidden(`${body.subscription} is assigned to another approver`);
    res.json(await executeOnboardingUpdate(deps, row, decideApprovalUpdate, { ...body, decidedBy: caller.email }, idempotencyKey(req)));
  });

  router.post('/v1/onboardings/:id/cancel', auth, staff, async (req, res) => {
    const caller = callerOf(req);
    const row = await loadOnboarding(req);
    const { reason } = parse(CancelBody, req.body);
    if (isFinished(row)) throw conflict(`the onboarding has finished (${row.status})`);
    try {
      await onboardingHandle(deps, row).signal(cancelSignal, { reason, requestedBy: caller.email });
    } catch (err) {
      throw workflowProblem(err, row) ?? err;
    }
    res.status(202).json({ id: row.id, status: row.status, cancellation: 'requested', links: { self: `${deps.config.publicUrl}/v1/onboardings/${row.id}` } });
  });

  return router;
}

/** Staff and admins, and whoever is or was asked to decide one of its subscriptions. */
export function mayRead(caller: Caller, row: OnboardingRow): boolean {
  if (caller.role === 'staff' || caller.role === 'admin') return true;
  return row.view.approvals.some((a) => mayDecide(caller, a) || (a.decisions ?? []).some((d) => same(d.decidedBy, caller.email)));
}

const same = (a: string | null | undefined, b: string) => !!a && a.toLowerCase() === b.toLowerCase();
const mayDecide = (caller: Caller, approval: ApprovalView) =>
  same(approval.approverEmail, caller.email) || same(approval.delegateEmail, caller.email) || (approval.decisions ?? []).some((d) => same(d.decidedBy, caller.email));

export async function loadOnboardingRow(deps: ApiDeps, req: Request): Promise<OnboardingRow> {
  const id = String(req.params.id);
  const row = UUID.test(id) ? await findOnboarding(deps.pool, id) : undefined;
  if (!row) throw notFound(`no onboarding with id ${id}`);
  return row;
}

export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw badRequest('Invalid Idempotency-Key', [{ path: 'header.Idempotency-Key', message: '1 to 200 visible ASCII characters' }]);
  }
  return key;
}

const encodeCursor = (row: OnboardingRow) => Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (Number.isNaN(Date.parse(createdAt)) || !UUID.test(id)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw badRequest('Invalid cursor', [{ path: 'cursor', message: 'use the nextCursor of a previous page' }]);
  }
}
