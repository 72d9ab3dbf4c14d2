import { Router } from 'express';
import { findUserByEmail } from '../../db/users';
import { burnPasswordCheck, verifyPassword } from '../../lib/passwords';
import type { ApiDeps } from '../deps';
import { unauthorized } from '../problem';
import { LoginBody, parse, RefreshBody } from '../schemas';

export function authRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/login', async (req, res) => {
    const { email, password } = parse(LoginBody, req.body);
    const user = await findUserByEmail(deps.pool, email);
    // Same answer, and about the same time, whether or not the email exists.
    const ok = user ? await verifyPassword(user.password_hash, password) : (await burnPasswordCheck(password), false);
    if (!user || !ok) throw unauthorized('The email or password is wrong');
    res.json(await deps.tokens.issue({ id: user.id, email: user.email, role: user.role }));
  });

  router.post('/v1/token/refresh', async (req, res) => {
    const { refreshToken } = parse(RefreshBody, req.body);
    const pair = await deps.tokens.refresh(refreshToken);
    if (!pair) throw unauthorized('The refresh token is unknown, expired or already used');
    res.json(pair);
  });

  return router;
}
