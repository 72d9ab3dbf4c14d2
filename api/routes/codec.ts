import { Router, type RequestHandler } from 'express';
import type { Payload } from '@temporalio/common';
import { UndecodablePayloadError } from '../../lib/payload-codec';
import { authenticate, bearerToken, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import type { OidcVerifier } from '../oidc';
import { badRequest, unauthorized } from '../problem';
import { CodecBody, parse } from '../schemas';

type WirePayload = { metadata?: Record<string, string>; data?: string };

/**
 * Who may use the codec: on the API, staff and admins (a gangway access token, the CLI's
 * `--codec-auth`) or anyone the identity provider vouches for (its access token, which the Temporal
 * Web UI passes on); `open` is the admin listener's (api/codec-listener.ts), which authenticates no
 * one and is reached on loopback or through an authenticating proxy only.
 */
export type CodecAccess = { kind: 'api'; oidc?: OidcVerifier } | { kind: 'open' };

/**
 * Temporal's codec server protocol (POST /codec/encode and /codec/decode, payloads as proto JSON
 * with base64 bytes), so that the Temporal Web UI and CLI can show staff what the history holds.
 * Decoded payloads are business data: see CodecAccess for who gets them.
 */
export function codecRoutes(deps: ApiDeps, access: CodecAccess = { kind: 'api' }): Router {
  const router = Router();
  const allowed = new Set(deps.config.codecCorsOrigins);

  // The UI calls from its own origin: answer the preflight without authentication, as browsers require.
  const cors: RequestHandler = (req, res, next) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.set({
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-headers': 'authorization, content-type, x-namespace',
        'access-control-allow-methods': 'POST, OPTIONS',
        vary: 'Origin',
      });
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
  router.options('/codec/:operation', cors);
  const guard: RequestHandler[] = access.kind === 'open' ? [] : [staffOrIdentityProvider(deps, access.oidc)];

  for (const operation of ['encode', 'decode'] as const) {
    router.post(`/codec/${operation}`, cors, ...guard, async (req, res) => {
      const { payloads } = parse(CodecBody, req.body);
      let result: Payload[];
      try {
        result = await deps.codec[operation](payloads.map(fromWire));
      } catch (err) {
        // Garbage from the caller is the caller's problem: a payload that does not open is a 400, not a 500.
        if (!(err instanceof UndecodablePayloadError)) throw err;
        throw badRequest('A payload cannot be decoded', [{ path: 'payloads', message: err.message }]);
      }
      res.set('cache-control', 'no-store').json({ payloads: result.map(toWire) });
    });
  }
  return router;
}

/** A token from the identity provider's issuer is verified against its keys; any other must be a staff token. */
function staffOrIdentityProvider(deps: ApiDeps, oidc: OidcVerifier | undefined): RequestHandler {
  const staff = authenticate(deps.tokens);
  const role = requireRole('staff', 'admin');
  return (req, res, next) => {
    const token = bearerToken(req);
    if (!oidc || !token || !oidc.claims(token))
      return staff(req, res, (err?: unknown) => (err ? next(err) : role(req, res, next)));
    oidc.verify(token).then((identity) => {
      if (!identity) return next(unauthorized("The identity provider's token is not valid here"));
      next();
    }, next);
  };
}

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
  ),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});
