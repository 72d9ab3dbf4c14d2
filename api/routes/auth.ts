import { Router, type Response } from 'express';
import { insertSecurityEvent } from '../../db/security-events';
import { findUserByEmail } from '../../db/users';
import { burnPasswordCheck, verifyPassword } from '../../lib/passwords';
import type { ApiDeps } from '../deps';
import { unauthorized } from '../problem';
import { LoginBody, LogoutBody, parse, RefreshBody } from '../schemas';

/** Token answers are never stored by a browser or proxy (RFC 6749 §5.1). */
export const noStore = (res: Response) => res.set({ 'cache-control': 'no-store', pragma: 'no-cache' });

export function authRoutes(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/login', async (req, res) => {
    noStore(res);
    const { email, password } = parse(LoginBody, req.body);
    await deps.limits.perIp(req);
    await deps.limits.loginAllowed(email);
    const user = await findUserByEmail(deps.pool, email);
    // Same answer, and about the same time, whether or not the email exists.
    const ok = user ? await verifyPassword(user.password_hash, password) : (await burnPasswordCheck(password), false);
    if (!user || !ok || user.disabled_at) {
      await deps.limits.loginFailed(email);
      await insertSecurityEvent(deps.pool, {
        event: 'login_failed',
        subject: email.trim().toLowerCase(),
        ip: req.ip,
        detail: { reason: !user ? 'unknown email' : !ok ? 'wrong password' : 'disabled' },
      });
      throw unauthorized('The email or password is wrong');
    }
    await deps.limits.loginSucceeded(email);
    res.json(await deps.tokens.issue({ id: user.id, email: user.email, role: user.role }));
  });

  router.post('/v1/token/refresh', async (req, res) => {
    noStore(res);
    const { refreshToken } = parse(RefreshBody, req.body);
    await deps.limits.perToken('refresh', refreshToken, req);
    const pair = await deps.tokens.refresh(refreshToken);
    if (!pair) throw unauthorized('The refresh token is unknown, expired, revoked or already used');
    res.json(pair);
  });

  /** The refresh token is the credential: whoever holds it may end its session. */
  router.post('/v1/logout', async (req, res) => {
    const { refreshToken } = parse(LogoutBody, req.body);
    await deps.limits.perToken('refresh', refreshToken, req);
    await deps.tokens.logout(refreshToken);
    res.status(204).end();
  });

  return router;
}
