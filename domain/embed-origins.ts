/**
 * PortalDuct: partners collect their clients' portal credentials inside their own product by framing the
 * collector. Which pages may frame it is the tenant's `embed.allowedOrigins`: exact origins, https only
 * (plain http only for the loopback addresses, a partner developing on their own machine), because the
 * framing page receives the collector's outcome and shows a credentials form inside itself.
 */
export const MAX_EMBED_ORIGINS = 10;

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/;
/** Host names as a browser serialises them (lower case, punycode), IPv4, or a bracketed IPv6 address. */
const HOST = /^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])$/;
const HINT = 'an origin such as https://partner.example';

/** The origin as browsers write it (lower case, no default port, no trailing slash), or why it is none. */
export function checkEmbedOrigin(text: string): { origin: string } | { problem: string } {
  if (text.includes('*')) return { problem: `no wildcards: list each origin, e.g. https://partner.example` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: `not ${HINT}` };
  }
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    return { problem: 'must be https (http only for localhost, 127.0.0.1 or [::1])' };
  // The origin goes into a CSP header: anything beyond plain host characters is refused, not escaped.
  if (!HOST.test(url.hostname)) return { problem: `not ${HINT}` };
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || /[?#]/.test(text))
    return { problem: 'an origin only: scheme, host and port, no path, query or fragment' };
  return { origin: url.origin };
}
