import { Router } from 'express';
import { kitSecretContext } from '../../activities/api-clients';
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
    const { rows } = await deps.pool.query<{ onboarding_id: string; client_id: string; sealed: string | null; contents: Record<string, unknown> }>(
      `WITH kit AS (
         SELECT onboarding_id, client_secret_sealed FROM kits
         WHERE token_hash = $1 AND opened_at IS NULL AND expires_at > now() FOR UPDATE
       )
       UPDATE kits SET opened_at = now(), client_secret_sealed = NULL FROM kit
       WHERE kits.onboarding_id = kit.onboarding_id
       RETURNING kits.onboarding_id, kits.client_id, kit.client_secret_sealed AS sealed, kits.contents`,
      [deps.secrets.hashToken(String(req.params.token))],
    );
    const kit = rows[0];
    if (!kit?.sealed) throw gone('This kit link was already used, has expired or never existed');
    res.json({
      clientId: kit.client_id,
      clientSecret: deps.secrets.open(kit.sealed, kitSecretContext(kit.onboarding_id)),
      ...kit.contents,
    });
  });
  return router;
}
