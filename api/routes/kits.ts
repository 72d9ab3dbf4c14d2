import { Router } from 'express';
import { kitSecretContext } from '../../activities/api-clients';
import { setPasswordContext } from '../../activities/kit';
import type { ApiDeps } from '../deps';
import { gone } from '../problem';

/**
 * The kit opens exactly once: one statement marks it opened and destroys the sealed secret,
 * returning the sealed value it held, so two racing requests cannot both read it.
 */
export function kitRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/v1/kits/:token', async (req, res) => {
    res.set('cache-control', 'no-store');
    const { rows } = await deps.pool.query<{
      onboarding_id: string;
      client_id: string;
      sealed: string | null;
      password_sealed: string | null;
      contents: { username: string; developerPortalUrl: string; subscriptions: string[] };
    }>(
      `WITH kit AS (
         SELECT onboarding_id, client_secret_sealed, set_password_token_sealed FROM kits
         WHERE token_hash = $1 AND opened_at IS NULL AND expires_at > now() FOR UPDATE
       )
       UPDATE kits SET opened_at = now(), client_secret_sealed = NULL, set_password_token_sealed = NULL FROM kit
       WHERE kits.onboarding_id = kit.onboarding_id
       RETURNING kits.onboarding_id, kits.client_id, kit.client_secret_sealed AS sealed,
                 kit.set_password_token_sealed AS password_sealed, kits.contents`,
      [deps.secrets.hashToken(String(req.params.token))],
    );
    const kit = rows[0];
    if (!kit?.sealed) throw gone('This kit link was already used, has expired or never existed');
    // Exactly what the reference platforms hand over, in their order (ShipServ's kit).
    const passwordToken = kit.password_sealed && deps.secrets.open(kit.password_sealed, setPasswordContext(kit.onboarding_id));
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
