import type { Request } from 'express';

/**
 * Pages reached through a one-time link whose token is the credential (collector, set-password):
 * never cached, never framed, no script, forms post only to us.
 */
export const TOKEN_PAGE_HEADERS = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
} as const;

/** A plain form post from the page (no JavaScript) wants an HTML answer; API clients get JSON. */
export const wantsHtml = (req: Request) =>
  req.is('application/x-www-form-urlencoded') !== false && req.accepts(['json', 'html']) === 'html';
