import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The pages' scripts and styles: plain files in api/pages/static, served by the product itself (no CDN,
 * so the pages work offline and the CSP can say 'self'). Each page names its files with a Subresource
 * Integrity hash, so a changed file on the way is refused by the browser.
 */
export interface Asset {
  body: Buffer;
  type: string;
  /** sha384-… for the integrity attribute. */
  integrity: string;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** From the TypeScript sources (tests, ts-node) and from dist/ (the files stay in api/pages/static, as db/migrations). */
function staticDir(): string {
  const fromSource = path.join(__dirname, 'static');
  return existsSync(fromSource) ? fromSource : path.join(__dirname, '..', '..', '..', 'api', 'pages', 'static');
}

export function loadAssets(): ReadonlyMap<string, Asset> {
  const dir = staticDir();
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const body = readFileSync(path.join(dir, name));
    assets.set(name, { body, type, integrity: `sha384-${createHash('sha384').update(body).digest('base64')}` });
  }
  return assets;
}

/** The one policy of every page: our own scripts, styles and API, nothing inline, nothing framed. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
