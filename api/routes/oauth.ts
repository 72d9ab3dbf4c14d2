import { createSecretKey } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import { verifyPassword } from '../../lib/passwords';
import type { ApiDeps } from '../deps';

const ACCESS_TOKEN_SECONDS = 3600;

/** RFC 6749 errors have their own shape (§5.2), which OAuth client libraries expect. */
function oauthError(res: Response, status: number, error: string, description: string) {
  if (status === 401) res.set('www-authenticate', 'Basic realm="gangway", charset="UTF-8"');
  res.status(status).set('cache-control', 'no-store').json({ error, error_description: description });
}

function basicCredentials(req: Request): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.get('authorization') ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** The token endpoint customer systems call with the kit's client id and secret. */
export function oauthRoutes(deps: ApiDeps): Router {
  const router = Router();
  const signingKey = createSecretKey(deps.secrets.keyFor('customer-access-token'));

  router.post('/oauth/token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const presented = basicCredentials(req);
    if (!presented) return oauthError(res, 401, 'invalid_client', 'authenticate the client with HTTP Basic (client id and secret)');
    const { rows } = await deps.pool.query<{ secret_hash: string; tenant_ids: string[]; subscriptions: string[] }>(
      `SELECT c.secret_hash,
              array_remove(array_agg(DISTINCT t.tenant_id::text), NULL) AS tenant_ids,
              array_remove(array_agg(DISTINCT s.code), NULL) AS subscriptions
       FROM api_clients c
       LEFT JOIN api_client_tenants t ON t.client_id = c.client_id
       LEFT JOIN subscriptions s ON s.tenant_id = t.tenant_id AND s.status = 'ASSIGNED'
       WHERE c.client_id = $1 AND c.revoked_at IS NULL
       GROUP BY c.secret_hash`,
      [presented.clientId],
    );
    const client = rows[0];
    if (!client || !deps.secrets.tokenMatches(presented.secret, client.secret_hash)) {
      return oauthError(res, 401, 'invalid_client', 'unknown client or wrong secret');
    }

    const grant = String(req.body?.grant_type ?? '');
    let subject = presented.clientId;
    if (grant === 'password') {
      const username = String(req.body?.username ?? '');
      const password = String(req.body?.password ?? '');
      const { rows: users } = await deps.pool.query<{ password_hash: string | null }>(
        `SELECT u.password_hash FROM integration_users u JOIN api_client_tenants t ON t.tenant_id = u.tenant_id
         WHERE u.username = $1 AND t.client_id = $2 AND u.disabled_at IS NULL`,
        [username, presented.clientId],
      );
      const hash = users[0]?.password_hash;
      if (!hash || !(await verifyPassword(hash, password))) return oauthError(res, 400, 'invalid_grant', 'wrong username or password, or no password set yet');
      subject = username;
    } else if (grant !== 'client_credentials') {
      return oauthError(res, 400, 'unsupported_grant_type', 'use client_credentials or password');
    }

    const scope = client.subscriptions.map((s) => s.toLowerCase()).sort().join(' ');
    const accessToken = jwt.sign({ scope, tenants: client.tenant_ids, client_id: presented.clientId }, signingKey, {
      algorithm: 'HS256',
      subject,
      issuer: 'gangway',
      audience: 'gangway-platform',
      expiresIn: ACCESS_TOKEN_SECONDS,
    });
    res.set({ 'cache-control': 'no-store', pragma: 'no-cache' }).json({ access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, scope });
  });
  return router;
}
