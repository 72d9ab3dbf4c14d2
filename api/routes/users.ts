import { Router } from 'express';
import { changeUserAccess, listUsers } from '../../db/users';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { notFound } from '../problem';
import { UserIdParams } from '../schemas';

/** Admins list, disable and enable people; a disabled user's sessions end at once. */
export function userRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('admin')];

  router.get('/v1/users', ...guard, async (_req, res) => {
    res.json({ items: await listUsers(deps.pool) });
  });

  for (const action of ['disable', 'enable'] as const) {
    router.post(`/v1/users/:id/${action}`, ...guard, async (req, res) => {
      const parsed = UserIdParams.safeParse(req.params);
      if (!parsed.success) throw notFound('no such user');
      const user = await changeUserAccess(
        deps.pool,
        { id: parsed.data.id },
        { disable: action === 'disable', actor: callerOf(req).email },
      );
      if (!user) throw notFound('no such user');
      deps.tokens.accessChanged(user.id);
      res.json(user);
    });
  }
  return router;
}
