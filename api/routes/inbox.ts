import { Router } from 'express';
import { inboxPage, inboxScript } from '../pages/inbox-page';

/** Only our own script and calls to our own API: a strict policy costs nothing on a page this small. */
const CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function inboxRoutes(): Router {
  const router = Router();
  router.get('/inbox', (_req, res) => {
    res.set('content-security-policy', CSP).type('html').send(inboxPage());
  });
  router.get('/inbox/app.js', (_req, res) => {
    res.set('content-security-policy', CSP).type('text/javascript').send(inboxScript);
  });
  return router;
}
