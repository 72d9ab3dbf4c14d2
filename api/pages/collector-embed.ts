import { createHash } from 'node:crypto';
import { escape } from './collect-page';
import { TOKEN_PAGE_HEADERS } from './token-page';

/**
 * The collector framed in a partner's product (PortalDuct's embedded collector). The partner names its
 * origin in `?embedOrigin=`; once that origin is one its tenant allows, the page may be framed by it alone
 * (CSP frame-ancestors) and tells it the outcome by postMessage addressed to that exact origin, never '*'.
 */

/** What the collector tells the framing page: the credentials were received, or the link no longer works. */
export type CollectorOutcome = 'SUBMITTED' | 'LINK_GONE';

export interface CollectorEmbedding {
  /** The partner's origin, one of its tenant's embed.allowedOrigins. */
  origin: string;
  /** The portal client's partnerProvidedId. */
  client: string;
}

// Fixed text, so its hash can stand in the CSP; what it sends comes from the data attributes beside it.
const OUTCOME_SCRIPT =
  "(function(){var o=document.getElementById('gangway-outcome');if(!o||window.parent===window)return;" +
  "window.parent.postMessage({type:'gangway.collector',outcome:o.dataset.outcome,client:o.dataset.client},o.dataset.origin);})();";
const OUTCOME_SCRIPT_HASH = `'sha256-${createHash('sha256').update(OUTCOME_SCRIPT).digest('base64')}'`;

/** The token page's headers, framed by the partner only: its script is the one above, nothing else. */
export function embeddedPageHeaders(origin: string): Record<string, string> {
  return {
    'cache-control': TOKEN_PAGE_HEADERS['cache-control'],
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; script-src ${OUTCOME_SCRIPT_HASH}; form-action 'self'; frame-ancestors ${origin}`,
  };
}

/** Markup that posts the outcome to the framing page (a no-op when the page is not framed). */
export function outcomeMarkup(embedding: CollectorEmbedding, outcome: CollectorOutcome): string {
  return `<div id="gangway-outcome" hidden data-origin="${escape(embedding.origin)}" data-outcome="${outcome}" data-client="${escape(embedding.client)}"></div>
<script>${OUTCOME_SCRIPT}</script>`;
}
