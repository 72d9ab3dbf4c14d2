import express, { Router, type Request } from 'express';
import { hashPassword } from '../../lib/passwords';
import type { ApiDeps } from '../deps';
import { TOKEN_PAGE_HEADERS, wantsHtml } from '../pages/token-page';
import { passwordSetPage, setPasswordFormPage, setPasswordGonePage } from '../pages/set-password-page';
import { gone } from '../problem';
import { parse, SetPasswordBody } from '../schemas';

/** The kit's one-time set-password link: the token is the credential, stored only as a keyed hash. */
export function setPasswordRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hash = (req: Request) => deps.secrets.hashToken(String(req.params.token));

  router.get('/set-password/:token', async (req, res) => {
    res.set(TOKEN_PAGE_HEADERS);
    const { rows } = await deps.pool.query<{ username: string; expires_at: Date }>(
      `SELECT u.username, l.expires_at FROM integration_password_links l JOIN integration_users u ON u.id = l.integration_user_id
       WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > now() AND u.disabled_at IS NULL`,
      [hash(req)],
    );
    if (!rows[0]) return res.status(410).type('html').send(setPasswordGonePage());
    res.type('html').send(setPasswordFormPage({ username: rows[0].username, token: String(req.params.token), expiresAt: rows[0].expires_at }));
  });

  router.post('/v1/set-password/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    res.set('cache-control', 'no-store');
    const html = wantsHtml(req);
    const { password } = parse(SetPasswordBody, req.body);
    // Hash before taking the link, so a slow hash never holds a transaction open.
    const passwordHash = await hashPassword(password);
    const { rows } = await deps.pool.query<{ username: string }>(
      `WITH link AS (
         UPDATE integration_password_links SET used_at = now()
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING integration_user_id
       )
       UPDATE integration_users u SET password_hash = $2 FROM link
       WHERE u.id = link.integration_user_id AND u.disabled_at IS NULL RETURNING u.username`,
      [hash(req), passwordHash],
    );
    if (!rows[0]) {
      if (html) return res.status(410).type('html').send(setPasswordGonePage());
      throw gone('This link was already used or has expired');
    }
    if (html) return res.type('html').send(passwordSetPage());
    res.json({ username: rows[0].username, status: 'PASSWORD_SET' });
  });
  return router;
}
