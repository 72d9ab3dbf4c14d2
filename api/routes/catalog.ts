import { Router } from 'express';
import { INTEGRATION_SYSTEMS, OTHER_INTEGRATION_SYSTEM } from '../../domain';
import { authenticate, requireRole } from '../auth';
import type { ApiDeps } from '../deps';

/** The known lists the start is validated against, for the tools that build a start body (staff, admin). */
export function catalogRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('staff', 'admin')];

  router.get('/v1/catalog/integration-systems', ...guard, (_req, res) => {
    res.json({
      items: INTEGRATION_SYSTEMS.map((name) => ({ name, requiresName: name === OTHER_INTEGRATION_SYSTEM })),
    });
  });

  return router;
}
