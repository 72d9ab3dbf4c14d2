import express, { Router, type Response } from 'express';
import jwt from 'jsonwebtoken';
import { insertClientFailureNotices } from '../../db/failure-notices';
import { findUserForPasswordGrant } from '../../db/integration-users';
import { clientAccountTypes } from '../../db/tenants';
import { insertSecurityEvent } from '../../db/security-events';
import { verifyPassword } from '../../lib/passwords';
import {
  authenticateApiClient,
  basicCredentials,
  customerTokenKey,
  PLATFORM_AUDIENCE,
  scopeFor,
} from '../customer-tokens';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';

const ACCESS_TOKEN_SECONDS = 3600;

/** RFC 6749 errors have their own shape (§5.2), which OAuth client libraries expect. */
function oauthError(res: Response, status: number, error: string, description: string) {
  if (status === 401) res.set('www-authenticate', 'Basic realm="gangway", charset="UTF-8"');
  res.status(status).set('cache-control', 'no-store').json({ error, error_description: description });
}

/**
 * TecCom: a refused burst of token requests is told to the failure notification emails of the client's
 * tenants, once per limit window (the key names the window), however many requests it refuses.
 */
async function noticeBurst(deps: ApiDeps, clientId: string): Promise<void> {
  const windowMs = deps.config.limits.windowMs;
  const window = Math.floor(Date.now() / windowMs);
  await insertClientFailureNotices(deps.pool, clientId, {
    key: `token-burst:${clientId}:${window}`,
    kind: 'TOKEN_BURST_REFUSED',
    subject: `Token requests refused for client ${clientId}`,
    body: [
      `More than ${deps.config.limits.perClient} token requests for client ${clientId} arrived within ${Math.round(windowMs / 1000)} s,`,
      `and gangway refused the rest (429) from ${new Date(window * windowMs).toISOString()}.`,
      'If your systems did not send them, someone else holds or guesses your client id: rotate the secret.',
    ].join('\n'),
  });
}

/** The token endpoint customer systems call with the kit's client id and secret. */
export function oauthRoutes(deps: ApiDeps): Router {
  const router = Router();
  const signingKey = customerTokenKey(deps.secrets);

  router.post('/oauth/token', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    res.set({ 'cache-control': 'no-store', pragma: 'no-cache' });
    const presented = basicCredentials(req);
    if (!presented)
      return oauthError(res, 401, 'invalid_client', 'authenticate the client with HTTP Basic (client id and secret)');
    await deps.limits.perClient(presented.clientId, req).catch(async (err: unknown) => {
      if (err instanceof HttpProblem && err.status === 429) await noticeBurst(deps, presented.clientId);
      throw err;
    });
    const apiClient = await authenticateApiClient(deps.pool, deps.secrets, presented);
    if (!apiClient) {
      await insertSecurityEvent(deps.pool, { event: 'invalid_client', subject: presented.clientId, ip: req.ip });
      return oauthError(res, 401, 'invalid_client', 'unknown, disabled or archived client, or wrong secret');
    }

    const grant = String(req.body?.grant_type ?? '');
    let subject = apiClient.clientId;
    // Ongoing WMS: an automation user's client serves exactly its granted tenants, or every tenant.
    let tenants = apiClient.allTenants ? ['*'] : apiClient.tenantIds;
    let invoiceDataAccess = apiClient.invoiceDataAccess;
    if (grant === 'password') {
      const username = String(req.body?.username ?? '');
      const password = String(req.body?.password ?? '');
      const user = await findUserForPasswordGrant(deps.pool, username, apiClient.clientId);
      if (!user?.password_hash || !(await verifyPassword(user.password_hash, password))) {
        return oauthError(res, 400, 'invalid_grant', 'wrong username or password, or no password set yet');
      }
      subject = username;
      // Ongoing WMS: a TENANT user belongs to exactly one tenant; an AUTOMATION user works across all.
      tenants = user.scope === 'AUTOMATION' ? ['*'] : [user.tenant_id];
      invoiceDataAccess = user.invoice_data_access;
    } else if (grant !== 'client_credentials') {
      return oauthError(res, 400, 'unsupported_grant_type', 'use client_credentials or password');
    }

    const scope = scopeFor(apiClient.subscriptions, invoiceDataAccess);
    // ShipServ: a test account's tokens say so; a client never serves both kinds (api/routes/api-clients.ts).
    const accountType = (await clientAccountTypes(deps.pool, apiClient.clientId)).includes('TEST')
      ? 'test'
      : 'production';
    const accessToken = jwt.sign(
      { scope, tenants, client_id: apiClient.clientId, account_type: accountType },
      signingKey,
      {
        algorithm: 'HS256',
        subject,
        issuer: 'gangway',
        audience: PLATFORM_AUDIENCE,
        expiresIn: ACCESS_TOKEN_SECONDS,
      },
    );
    res
      .set({ 'cache-control': 'no-store', pragma: 'no-cache' })
      .json({ access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, scope });
  });
  return router;
}
