import { Router } from 'express';
import { loadAssets, PAGE_CSP } from '../pages/assets';
import { consolePage } from '../pages/console-page';
import { inboxPage } from '../pages/inbox-page';

/**
 * The signed-in pages (the approver inbox, the staff console) and their scripts and styles. Anyone may
 * fetch them: they hold no data, and every call they make carries the user's own bearer token.
 */
export function pageRoutes(): Router {
  const router = Router();
  const assets = loadAssets();
  const pages = { inbox: inboxPage(assets), console: consolePage(assets) };

  router.get('/ui/:name', (req, res, next) => {
    const asset = assets.get(String(req.params.name));
    if (!asset) return next();
    // Revalidated on every load (express answers 304 by ETag): a new release is never half cached.
    res.set({ 'content-security-policy': PAGE_CSP, 'cache-control': 'no-cache' }).type(asset.type).send(asset.body);
  });
  router.get('/inbox', (_req, res) => {
    res.set('content-security-policy', PAGE_CSP).type('html').send(pages.inbox);
  });
  router.get(['/console', '/console/onboardings/:id'], (_req, res) => {
    res.set('content-security-policy', PAGE_CSP).type('html').send(pages.console);
  });
  return router;
}
