import { Router, type RequestHandler } from 'express';
import { isAccessTokenLive, isInvoiceScope, verifyCustomerToken, type PlatformClaims } from '../customer-tokens';
import { bearerToken } from '../auth';
import type { ApiDeps } from '../deps';
import { forbidden, unauthorized } from '../problem';

declare module 'express-serve-static-core' {
  interface Request {
    platformClaims?: PlatformClaims;
  }
}

/**
 * The customer-facing platform API that /oauth/token's tokens are for. Only what the rules need is
 * here: invoice data, which a token without an invoice scope may not read (Ongoing WMS).
 */
export function platformRoutes(deps: ApiDeps): Router {
  const router = Router();
  const bearer: RequestHandler = async (req, _res, next) => {
    const token = bearerToken(req);
    const claims = token ? verifyCustomerToken(deps.secrets, token) : undefined;
    if (!claims) return next(unauthorized('A bearer token from /oauth/token is required'));
    // A token outlives nothing it was issued for: an offboarded or disabled client's tokens stop at once.
    if (!(await isAccessTokenLive(deps.pool, claims)))
      return next(unauthorized('This token’s client or tenant no longer has API access'));
    req.platformClaims = claims;
    next();
  };
  const invoiceScope: RequestHandler = (req, _res, next) => {
    const scopes = (req.platformClaims?.scope ?? '').split(' ');
    if (!scopes.some(isInvoiceScope))
      return next(
        forbidden(
          'This token carries no invoice scope: the integration user has no invoice data access or no invoicing subscription',
        ),
      );
    next();
  };

  router.get('/platform/v1/invoices', bearer, invoiceScope, (_req, res) => {
    res.json({ items: [] });
  });
  return router;
}
