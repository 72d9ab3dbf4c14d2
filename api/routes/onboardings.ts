import { Router, type Request } from 'express';
import { listAuditEvents } from '../../db/audit';
import { findOnboarding, listOnboardings, type OnboardingRow } from '../../db/onboardings';
import { cancelSignal } from '../../workflows/messages';
import type { ApprovalView } from '../../domain';
import { authenticate, callerOf, requireRole, type Caller } from '../auth';
import type { ApiDeps } from '../deps';
import { isFinished, onboardingHandle, signalWithProof, workflowProblem } from '../onboarding-handle';
import { presentOnboarding, presentOnboardings } from '../onboarding-view';
import { decodeCursor, encodeCursor } from '../keyset-cursor';
import { badRequest, conflict, forbidden, notFound } from '../problem';
import { CancelBody, ListOnboardingsQuery, parse } from '../schemas';
import { startOnboarding } from '../use-cases/start-onboarding';
import { UUID } from '../ids';

export function onboardingRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticate(deps.tokens);
  const staff = requireRole('staff', 'admin');

  const loadOnboarding = (req: Request) => loadOnboardingRow(deps, req);

  router.post('/v1/onboardings', auth, staff, async (req, res) => {
    const answer = await startOnboarding(deps, {
      caller: callerOf(req),
      body: req.body,
      idempotencyKey: idempotencyKey(req),
      // Counted beside the start's lookups rather than before them: one round trip less to wait for.
      admitted: deps.limits.starts(callerOf(req).id, req),
    });
    if (answer.location) res.location(answer.location);
    if (answer.serverTiming) res.set('Server-Timing', answer.serverTiming);
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/onboardings', auth, staff, async (req, res) => {
    const query = parse(ListOnboardingsQuery, req.query);
    const rows = await listOnboardings(deps.pool, {
      ...query,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const last = rows.length === query.limit ? rows[rows.length - 1] : undefined;
    res.json({
      items: presentOnboardings(rows),
      nextCursor: last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
    });
  });

  router.get('/v1/onboardings/:id', auth, async (req, res) => {
    const row = await loadOnboarding(req);
    if (!mayRead(callerOf(req), row)) throw forbidden('Only staff and the onboarding’s approvers may read it');
    res.json(presentOnboarding(row));
  });

  router.get('/v1/onboardings/:id/audit', auth, async (req, res) => {
    const row = await loadOnboarding(req);
    if (!mayRead(callerOf(req), row))
      throw forbidden('Only staff and the onboarding’s approvers may read its audit trail');
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

  router.post('/v1/onboardings/:id/cancel', auth, staff, async (req, res) => {
    const caller = callerOf(req);
    const row = await loadOnboarding(req);
    const { reason } = parse(CancelBody, req.body);
    if (isFinished(row)) throw conflict(`the onboarding has finished (${row.status})`);
    try {
      await signalWithProof(
        onboardingHandle(deps, row),
        cancelSignal,
        { reason, requestedBy: caller.email },
        row.first_run_id,
      );
    } catch (err) {
      throw workflowProblem(err, row) ?? err;
    }
    res.status(202).json({
      id: row.id,
      status: row.status,
      cancellation: 'requested',
      links: { self: `${deps.config.publicUrl}/v1/onboardings/${row.id}` },
    });
  });

  return router;
}

/** Staff and admins, and whoever is or was asked to decide one of its subscriptions. */
function mayRead(caller: Caller, row: OnboardingRow): boolean {
  if (caller.role === 'staff' || caller.role === 'admin') return true;
  return row.view.approvals.some(
    (a) => mayDecide(caller, a) || (a.decisions ?? []).some((d) => same(d.decidedBy, caller.email)),
  );
}

const same = (a: string | null | undefined, b: string) => !!a && a.toLowerCase() === b.toLowerCase();
/** The assigned approver, their delegate, and whoever decided one of its stages. */
export const mayDecide = (caller: Caller, approval: ApprovalView) =>
  same(approval.approverEmail, caller.email) ||
  same(approval.delegateEmail, caller.email) ||
  (approval.decisions ?? []).some((d) => same(d.decidedBy, caller.email));

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
    throw badRequest('Invalid Idempotency-Key', [
      { path: 'header.Idempotency-Key', message: '1 to 200 visible ASCII characters' },
    ]);
  }
  return key;
}
