import express, { Router, type Request } from 'express';
import { findOpenPasswordLink, setPasswordThroughLink } from '../../db/integration-users';
import { hashPassword, passwordProblem } from '../../lib/passwords';
import type { ApiDeps } from '../deps';
import { TOKEN_PAGE_HEADERS, wantsHtml } from '../pages/token-page';
import { passwordSetPage, setPasswordFormPage, setPasswordGonePage } from '../pages/set-password-page';
import { badRequest, gone } from '../problem';
import { noStore } from './auth';
import { parse, SetPasswordBody } from '../schemas';

/** The kit's one-time set-password link: the token is the credential, stored only as a keyed hash. */
export function setPasswordRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hash = (req: Request) => deps.secrets.hashToken(String(req.params.token));

  router.get('/set-password/:token', async (req, res) => {
    res.set(TOKEN_PAGE_HEADERS);
    await deps.limits.perIp(req);
    const link = await findOpenPasswordLink(deps.pool, hash(req));
    if (!link) return res.status(410).type('html').send(setPasswordGonePage());
    res
      .type('html')
      .send(
        setPasswordFormPage({ username: link.username, token: String(req.params.token), expiresAt: link.expires_at }),
      );
  });

  router.post('/v1/set-password/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    noStore(res);
    const html = wantsHtml(req);
    await deps.limits.perIp(req);
    await deps.limits.perToken('set-password', String(req.params.token), req);
    const linkGone = () => {
      if (html) return res.status(410).type('html').send(setPasswordGonePage());
      throw gone('This link was already used or has expired');
    };
    // The link first: argon2 runs only for a request that holds a live link.
    if (!(await findOpenPasswordLink(deps.pool, hash(req)))) return linkGone();
    const { password } = parse(SetPasswordBody, req.body);
    const weak = passwordProblem(password);
    if (weak) throw badRequest(`The password is refused: ${weak}`, [{ path: 'password', message: weak }]);
    // Hash before taking the link, so a slow hash never holds a transaction open.
    const passwordHash = await hashPassword(password);
    const username = await setPasswordThroughLink(deps.pool, hash(req), passwordHash);
    if (!username) return linkGone();
    if (html) return res.type('html').send(passwordSetPage());
    res.json({ username, status: 'PASSWORD_SET' });
  });
  return router;
}
