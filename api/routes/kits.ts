import { Router } from 'express';
import { kitSecretContext } from '../../activities/api-clients';
import { setPasswordContext } from '../../activities/kit';
import { openKit } from '../../db/kits';
import type { ApiDeps } from '../deps';
import { gone } from '../problem';

/** The kit opens exactly once (db/kits.ts openKit): the secret is shown to the first request only. */
export function kitRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/v1/kits/:token', async (req, res) => {
    res.set('cache-control', 'no-store');
    const kit = await openKit(deps.pool, deps.secrets.hashToken(String(req.params.token)));
    if (!kit?.sealed) throw gone('This kit link was already used, has expired or never existed');
    // Exactly what the reference platforms hand over, in their order (ShipServ's kit).
    const passwordToken =
      kit.password_sealed && deps.secrets.open(kit.password_sealed, setPasswordContext(kit.onboarding_id));
    res.json({
      clientId: kit.client_id,
      clientSecret: deps.secrets.open(kit.sealed, kitSecretContext(kit.onboarding_id)),
      username: kit.contents.username,
      setPasswordUrl: passwordToken ? `${deps.config.publicUrl}/set-password/${passwordToken}` : null,
      developerPortalUrl: kit.contents.developerPortalUrl,
      subscriptions: kit.contents.subscriptions,
    });
  });
  return router;
}
