import { Router, type Request } from 'express';
import { kitSecretContext } from '../../activities/api-clients';
import { setPasswordContext } from '../../activities/kit';
import { secretDeliveryContext } from '../../activities/secret-delivery';
import { isKitOpen, openKit } from '../../db/kits';
import { isSecretDeliveryOpen, openSecretDelivery } from '../../db/secret-deliveries';
import { clientAccountTypes } from '../../db/tenants';
import type { ApiDeps } from '../deps';
import { kitGonePage, kitRevealedPage, kitRevealPage } from '../pages/kit-page';
import { TOKEN_PAGE_HEADERS, wantsHtml } from '../pages/token-page';
import { gone, HttpProblem } from '../problem';
import { noStore } from './auth';

/**
 * Kits (and rotated secrets) open exactly once, and only by POST: mail scanners GET and HEAD every link,
 * so the mail points at a page whose Reveal button posts, and GET/HEAD on the API path consume nothing.
 */
export function kitRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hash = (req: Request) => deps.secrets.hashToken(String(req.params.token));

  router.get('/kit/:token', async (req, res) => {
    res.set(TOKEN_PAGE_HEADERS);
    await deps.limits.perIp(req);
    const open = (await isKitOpen(deps.pool, hash(req))) || (await isSecretDeliveryOpen(deps.pool, hash(req)));
    if (!open) return res.status(410).type('html').send(kitGonePage());
    res.type('html').send(kitRevealPage(String(req.params.token)));
  });

  // GET also answers HEAD in express.
  router.get('/v1/kits/:token', () => {
    throw new HttpProblem(
      405,
      'Method not allowed',
      'A kit is revealed by POST only (once); GET and HEAD never open it',
      {},
      { allow: 'POST' },
    );
  });

  router.post('/v1/kits/:token', async (req, res) => {
    noStore(res);
    await deps.limits.perIp(req);
    await deps.limits.perToken('kit', String(req.params.token), req);
    const kit = await reveal(deps, hash(req));
    if (!kit) {
      if (wantsHtml(req)) return res.status(410).set(TOKEN_PAGE_HEADERS).type('html').send(kitGonePage());
      throw gone('This kit link was already used, has expired or never existed');
    }
    if (wantsHtml(req)) return res.set(TOKEN_PAGE_HEADERS).type('html').send(kitRevealedPage(kit));
    res.json(kit);
  });
  return router;
}

/** The onboarding's kit, or a rotated secret's delivery, opened once. */
async function reveal(deps: ApiDeps, tokenHash: string) {
  const kit = await openKit(deps.pool, tokenHash);
  if (kit?.sealed) {
    const passwordToken =
      kit.password_sealed && deps.secrets.open(kit.password_sealed, setPasswordContext(kit.onboarding_id));
    // Exactly what the reference platforms hand over, in their order (ShipServ's kit).
    return {
      clientId: kit.client_id,
      clientSecret: deps.secrets.open(kit.sealed, kitSecretContext(kit.onboarding_id)),
      username: kit.contents.username,
      setPasswordUrl: passwordToken ? `${deps.config.publicUrl}/set-password/${passwordToken}` : null,
      developerPortalUrl: kit.contents.developerPortalUrl,
      subscriptions: kit.contents.subscriptions,
      // ShipServ: a test account's kit says so, so its credentials are never mistaken for production's.
      accountType: (await clientAccountTypes(deps.pool, kit.client_id)).includes('TEST') ? 'TEST' : 'PRODUCTION',
    };
  }
  const delivery = await openSecretDelivery(deps.pool, tokenHash);
  if (!delivery) return undefined;
  return {
    clientId: delivery.client_id,
    clientSecret: deps.secrets.open(delivery.sealed, secretDeliveryContext(delivery.id)),
  };
}
