import { Router } from 'express';
import { findOffboarding } from '../../db/offboardings';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { OffboardBody, parse } from '../schemas';
import { offboardTenant } from '../use-cases/offboard-tenant';
import { UUID } from '../ids';

/** Taking a customer off (staff, admin): a durable workflow, read back from its read model. */
export function offboardingRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('staff', 'admin')];

  router.post('/v1/tenants/:identifier/offboard', ...guard, async (req, res) => {
    const { reason } = parse(OffboardBody, req.body);
    const started = await offboardTenant(deps, {
      caller: callerOf(req),
      identifier: String(req.params.identifier),
      reason,
    });
    res.status(202).location(started.links.self).json(started);
  });

  router.get('/v1/offboardings/:id', ...guard, async (req, res) => {
    const id = String(req.params.id);
    const row = UUID.test(id) ? await findOffboarding(deps.pool, id) : undefined;
    if (!row) throw notFound(`no offboarding with id ${id}`);
    res.json(row.view);
  });

  return router;
}
