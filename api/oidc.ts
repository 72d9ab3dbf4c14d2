import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';

export interface OidcSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

/** Asymmetric algorithms only: an HS* token would be "signed" with a key the verifier gets from the token's own issuer. */
const ALGORITHMS: jwt.Algorithm[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

export interface OidcVerifier {
  /** Whether the token claims to come from this issuer (unverified): only then is it worth verifying here. */
  claims(token: string): boolean;
  /** The subject of a valid token: signed by a key of the JWKS, for this issuer and audience, not expired. */
  verify(token: string): Promise<{ subject: string } | undefined>;
}

/**
 * Verifies the identity provider's access tokens, which the Temporal Web UI passes to the codec
 * endpoint (its `passAccessToken`), against the provider's published keys. The keys are fetched from
 * the operator's JWKS URL (not through lib/egress.ts, which guards addresses customers give: an
 * identity provider on an internal network is normal), cached, and fetched again at most a few times
 * a minute for a key id not seen yet, so that a rotation is picked up and a flood of made-up ids is not.
 */
export function createOidcVerifier(settings: OidcSettings): OidcVerifier {
  const keys = new JwksClient({
    jwksUri: settings.jwksUrl,
    cache: true,
    cacheMaxAge: 10 * 60_000,
    rateLimit: true,
    jwksRequestsPerMinute: 10,
    timeout: 5_000,
  });
  return {
    claims(token) {
      const payload = jwt.decode(token, { json: true });
      return payload?.iss === settings.issuer;
    },
    async verify(token) {
      const decoded = jwt.decode(token, { complete: true });
      const kid = decoded?.header.kid;
      if (!kid || !ALGORITHMS.includes(decoded.header.alg as jwt.Algorithm)) return undefined;
      let key: string;
      try {
        key = (await keys.getSigningKey(kid)).getPublicKey();
      } catch {
        return undefined;
      }
      try {
        const claims = jwt.verify(token, key, {
          algorithms: ALGORITHMS,
          issuer: settings.issuer,
          audience: settings.audience,
          clockTolerance: 30,
        }) as jwt.JwtPayload;
        return typeof claims.sub === 'string' && claims.sub ? { subject: claims.sub } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
