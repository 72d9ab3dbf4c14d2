import { Router } from 'express';
import { listAutomationUsers } from '../../db/automation-users';
import { CreateAutomationUserBody } from '../api-user-schemas';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { idempotent } from '../idempotent';
import { parse } from '../schemas';
import { automationUserView, createAutomationUser } from '../use-cases/create-automation-user';
import { idempotencyKey } from './onboardings';

/** Ongoing WMS "API for automation": users that work across tenants, so admins only. */
export function automationUserRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('admin')];

  router.post('/v1/automation-users', ...guard, async (req, res) => {
    const caller = callerOf(req);
    const body = parse(CreateAutomationUserBody, req.body);
    // The answer holds the client secret: a repeat of the key gets it back, stored sealed.
    const answer = await idempotent(
      deps,
      { caller, key: idempotencyKey(req), route: 'POST /v1/automation-users', body: req.body, sealed: true },
      async () => ({ status: 201, body: await createAutomationUser(deps, caller, body) }),
    );
    res.status(answer.status).json(answer.body);
  });

  router.get('/v1/automation-users', ...guard, async (_req, res) => {
    res.json({ items: (await listAutomationUsers(deps.pool)).map(automationUserView) });
  });

  return router;
}
