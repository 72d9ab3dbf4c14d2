import express, { Router, type Request, type Response } from 'express';
import { findCollectorLinkFrame, findOpenCollectorLink } from '../../db/collector-links';
import { checkEmbedOrigin } from '../../domain';
import type { ApiDeps } from '../deps';
import { embeddedPageHeaders, outcomeMarkup, type CollectorEmbedding } from '../pages/collector-embed';
import { TOKEN_PAGE_HEADERS, wantsHtml } from '../pages/token-page';
import { collectFormPage, collectGonePage, collectNotEmbeddablePage, collectThanksPage } from '../pages/collect-page';
import { badRequest, forbidden, HttpProblem } from '../problem';
import { CollectBody, parse } from '../schemas';
import { submitPortalCredentials } from '../use-cases/submit-portal-credentials';

/**
 * The collector: the token in the link is the only credential; it works once, before it expires. The mailed
 * link opens it on its own, never framed; a partner frames it with ?embedOrigin=<its origin> when the link's
 * tenant allows that origin (embed.allowedOrigins), and then hears the outcome by postMessage.
 */
export function collectRoutes(deps: ApiDeps): Router {
  const router = Router();
  const hash = (req: Request) => deps.secrets.hashToken(String(req.params.token));

  /**
   * The framing this request asks for: none without ?embedOrigin=; else the origin, if the link's tenant
   * allows it. Refusals are problems that frame nowhere; an unknown token is left to the 410 below.
   */
  async function embeddingOf(req: Request): Promise<CollectorEmbedding | undefined> {
    const asked = req.query.embedOrigin;
    if (asked === undefined) return undefined;
    if (typeof asked !== 'string')
      throw badRequest('Invalid embedOrigin', [{ path: 'embedOrigin', message: 'give one origin' }]);
    const check = checkEmbedOrigin(asked);
    if ('problem' in check)
      throw badRequest('Invalid embedOrigin', [{ path: 'embedOrigin', message: `${asked}: ${check.problem}` }]);
    const link = await findCollectorLinkFrame(deps.pool, hash(req));
    if (!link) return undefined;
    if (!link.allowed_origins.includes(check.origin))
      throw forbidden(
        `${check.origin} may not frame this collector: it is not in the tenant's embed.allowedOrigins (open the mailed link instead)`,
      );
    return { origin: check.origin, client: link.client_id };
  }

  /** The token page's headers: framed by the partner's origin alone, or by nobody. */
  const pageHeaders = (res: Response, embedding: CollectorEmbedding | undefined) => {
    if (!embedding) return res.set(TOKEN_PAGE_HEADERS);
    // helmet's X-Frame-Options: DENY would override the CSP in older browsers; frame-ancestors says who may.
    res.removeHeader('x-frame-options');
    return res.set(embeddedPageHeaders(embedding.origin));
  };
  /** A refused embedding answered as a page (the browser shows it only outside any frame). */
  const refusedPage = (req: Request, res: Response, err: unknown) => {
    if (!(err instanceof HttpProblem)) throw err;
    const asked = req.query.embedOrigin;
    const origin = typeof asked === 'string' ? asked : 'this page';
    return res.status(err.status).set(TOKEN_PAGE_HEADERS).type('html').send(collectNotEmbeddablePage(origin));
  };

  router.get('/collect/:token', async (req, res) => {
    res.set(TOKEN_PAGE_HEADERS);
    await deps.limits.perIp(req);
    let embedding: CollectorEmbedding | undefined;
    try {
      embedding = await embeddingOf(req);
    } catch (err) {
      return refusedPage(req, res, err);
    }
    const link = await findOpenCollectorLink(deps.pool, hash(req));
    pageHeaders(res, embedding);
    if (!link)
      return res
        .status(410)
        .type('html')
        .send(collectGonePage(embedding && outcomeMarkup(embedding, 'LINK_GONE')));
    res.type('html').send(
      collectFormPage({
        clientName: link.client_name,
        portalUrl: link.portal_url,
        token: String(req.params.token),
        expiresAt: link.expires_at,
        embedOrigin: embedding?.origin,
      }),
    );
  });

  router.post('/v1/collect/:token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const html = wantsHtml(req);
    await deps.limits.perIp(req);
    await deps.limits.perToken('collect', String(req.params.token), req);
    const credentials = parse(CollectBody, req.body);
    // Checked before anything is spent: a refused framing changes nothing.
    const embedding = await embeddingOf(req);
    try {
      await submitPortalCredentials(deps, hash(req), credentials);
    } catch (err) {
      if (html && (err as { status?: number }).status === 410)
        return pageHeaders(res, embedding)
          .status(410)
          .type('html')
          .send(collectGonePage(embedding && outcomeMarkup(embedding, 'LINK_GONE')));
      throw err;
    }
    if (html)
      return pageHeaders(res, embedding)
        .status(202)
        .type('html')
        .send(collectThanksPage(embedding && outcomeMarkup(embedding, 'SUBMITTED')));
    res.status(202).json({ status: 'RECEIVED' });
  });

  return router;
}
