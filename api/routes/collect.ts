import express, { Router, type Request } from 'express';
import { collectorContext } from '../../activities/collection';
import { credentialsSubmittedSignal } from '../../workflows/messages';
import { findOpenCollectorLink } from '../../db/collector-links';
import { findOnboarding } from '../../db/onboardings';
import type { ApiDeps } from '../deps';
import { TOKEN_PAGE_HEADERS, wantsHtml } from '../pages/token-page';
import { onboardingHandle } from '../onboarding-handle';
import { collectFormPage, collectGonePage, collectThanksPage } from '../pages/collect-page';
import { gone } from '../problem';
import { CollectBody, parse } from '../schemas';

interface LinkRow { id: string; onboarding_id: string; workflow_id: string; client_id: string; attempt: number; expires_at: Date }

/** The collector: the token in the link is the only credential; it works once, before it expires. */
export function collectRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hash = (req: Request) => deps.secrets.hashToken(String(req.params.token));

  router.get('/collect/:token', async (req, res) => {
    res.set(TOKEN_PAGE_HEADERS);
    const link = await findOpenCollectorLink(deps.pool, hash(req));
    if (!link) return res.status(410).type('html').send(collectGonePage());
    res.type('html').send(collectFormPage({ clientName: link.client_name, portalUrl: link.portal_url, token: String(req.params.token), expiresAt: link.expires_at }));
  });

  router.post('/v1/collect/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const html = wantsHtml(req);
    const credentials = parse(CollectBody, req.body);
    const client = await deps.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<LinkRow>(
        `UPDATE collector_links SET used_at = now()
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
         RETURNING id, onboarding_id, workflow_id, client_id, attempt, expires_at`,
        [hash(req)],
      );
      const link = rows[0];
      if (!link) throw gone('This link was already used or has expired');
      await client.query('UPDATE collector_links SET credentials_sealed = $2 WHERE id = $1', [
        link.id,
        deps.secrets.seal(JSON.stringify(credentials), collectorContext(link.id)),
      ]);
      // Signal before COMMIT: if the workflow cannot be told, the link stays usable. The workflow
      // gets a reference to the sealed row, never the credentials.
      const onboarding = await findOnboarding(deps.pool, link.onboarding_id);
      if (!onboarding) throw gone('This onboarding no longer collects credentials');
      // The link names the workflow waiting for it: the onboarding's (this run chain exactly), or a
      // reconnect's after re-verification found the credentials refused (workflows/reconnect.ts).
      const waiting = link.workflow_id === onboarding.workflow_id ? onboardingHandle(deps, onboarding) : deps.temporal.workflow.getHandle(link.workflow_id);
      await waiting.signal(credentialsSubmittedSignal, { clientId: link.client_id, attempt: link.attempt, collectorLinkId: link.id }).catch(() => {
        throw gone('This onboarding no longer collects credentials');
      });
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (html && (err as { status?: number }).status === 410) return res.status(410).type('html').send(collectGonePage());
      throw err;
    } finally {
      client.release();
    }
    if (html) return res.status(202).type('html').send(collectThanksPage());
    res.status(202).json({ status: 'RECEIVED' });
  });

  return router;
}
