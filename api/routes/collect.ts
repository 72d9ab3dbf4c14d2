import express, { Router, type Request } from 'express';
import { findOpenCollectorLink } from '../../db/collector-links';
import type { ApiDeps } from '../deps';
import { TOKEN_PAGE_HEADERS, wantsHtml } from '../pages/token-page';
import { collectFormPage, collectGonePage, collectThanksPage } from '../pages/collect-page';
import { CollectBody, parse } from '../schemas';
import { submitPortalCredentials } from '../use-cases/submit-portal-credentials';

/** The collector: the token in the link is the only credential; it works once, before it expires. */
export function collectRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hash = (req: Request) => deps.secrets.hashToken(String(req.params.token));

  router.get('/collect/:token', async (req, res) => {
    res.set(TOKEN_PAGE_HEADERS);
    await deps.limits.perIp(req);
    const link = await findOpenCollectorLink(deps.pool, hash(req));
    if (!link) return res.status(410).type('html').send(collectGonePage());
    res.type('html').send(
      collectFormPage({
        clientName: link.client_name,
        portalUrl: link.portal_url,
        token: String(req.params.token),
        expiresAt: link.expires_at,
      }),
    );
  });

  router.post('/v1/collect/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const html = wantsHtml(req);
    await deps.limits.perIp(req);
    await deps.limits.perToken('collect', String(req.params.token), req);
    const credentials = parse(CollectBody, req.body);
    try {
      await submitPortalCredentials(deps, hash(req), credentials);
    } catch (err) {
      if (html && (err as { status?: number }).status === 410)
        return res.status(410).type('html').send(collectGonePage());
      throw err;
    }
    if (html) return res.status(202).type('html').send(collectThanksPage());
    res.status(202).json({ status: 'RECEIVED' });
  });

  return router;
}
