import { createSecretKey } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import type { Pool } from 'pg';
import type { Queryable } from '../db/queryable';
import { insertRefreshToken, revokeFamilyOf, spendRefreshToken } from '../db/refresh-tokens';
import { insertSecurityEvent } from '../db/security-events';
import { withTransaction } from '../db/transaction';
import type { Role } from '../db/users';
import type { Secrets } from '../lib/secrets';
import type { ActiveUsers } from './active-users';
import { forbidden, unauthorized } from './problem';
import { Remembered } from './remembered';
import { UUID } from './ids';

export interface Caller {
  id: string;
  email: string;
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

const ISSUER = 'gangway';
/** Verified access tokens an API process remembers at most. */
const MAX_VERIFIED_TOKENS = 10_000;

/** Short-lived signed access tokens and opaque, rotating refresh tokens stored as keyed hashes. */
export function createTokenService(options: {
  pool: Pool;
  secrets: Secrets;
  accessTtlMs: number;
  refreshTtlMs: number;
  /** A family (one login) ends this long after the login, however often it is refreshed. */
  sessionMaxLifetimeMs: number;
  /** Whether a user may still act (api/active-users.ts). */
  activeUsers: Pick<ActiveUsers, 'isActive' | 'forget'>;
}) {
  const { pool, secrets, accessTtlMs, refreshTtlMs, sessionMaxLifetimeMs, activeUsers } = options;
  // A KeyObject made once: given raw bytes, jsonwebtoken tries to parse them as a public key on every
  // call (a thrown and caught error), which the read-path profile showed as the top CPU cost.
  const signingKey = createSecretKey(secrets.keyFor('access-token'));
  // A staff client sends the same token with every request for its lifetime: checking its HMAC and parsing its
  // claims again each time was the largest cost of a read over a bare endpoint (#18). Keyed by the whole token,
  // so one that differs in any byte (another signature, tampered claims) is verified in full; nothing outlives
  // the token's expiry, and whether its user may still act is asked on every request all the same.
  const verified = new Remembered<Caller>(MAX_VERIFIED_TOKENS);

  /** A new access token, and the next refresh token of the family (a new family at login). */
  async function issue(caller: Caller, db: Queryable = pool, family?: { id: string; startedAt: Date }) {
    const expiresIn = Math.floor(accessTtlMs / 1000);
    const accessToken = jwt.sign({ email: caller.email, role: caller.role }, signingKey, {
      algorithm: 'HS256',
      subject: caller.id,
      issuer: ISSUER,
      audience: 'gangway-api',
      expiresIn,
    });
    const refreshToken = secrets.newToken();
    const sessionEnds = (family?.startedAt.getTime() ?? Date.now()) + sessionMaxLifetimeMs;
    await insertRefreshToken(db, {
      tokenHash: secrets.hashToken(refreshToken),
      userId: caller.id,
      expiresAt: new Date(Math.min(Date.now() + refreshTtlMs, sessionEnds)),
      familyId: family?.id,
      familyStartedAt: family?.startedAt,
    });
    return { accessToken, refreshToken, tokenType: 'Bearer' as const, expiresIn };
  }

  return {
    issue,

    verify(token: string): Caller | undefined {
      const known = verified.get(token);
      if (known) return known;
      try {
        const claims = jwt.verify(token, signingKey, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: 'gangway-api',
        }) as jwt.JwtPayload;
        if (!UUID.test(String(claims.sub)) || typeof claims.exp !== 'number') return undefined;
        const caller = { id: String(claims.sub), email: String(claims.email), role: claims.role as Role };
        verified.remember(token, caller, claims.exp * 1000);
        return caller;
      } catch {
        return undefined;
      }
    },

    /** Spends the refresh token and issues the family's next pair; a second use revokes the family. */
    async refresh(refreshToken: string) {
      const tokenHash = secrets.hashToken(refreshToken);
      const result = await withTransaction(pool, async (tx) => {
        const spent = await spendRefreshToken(tx, tokenHash, sessionMaxLifetimeMs);
        if (spent.outcome !== 'spent') return spent;
        const family = { id: spent.familyId, startedAt: spent.familyStartedAt };
        return { outcome: 'issued' as const, pair: await issue(spent.user, tx, family) };
      });
      if (result.outcome === 'reused')
        await insertSecurityEvent(pool, { event: 'refresh_token_reused', subject: result.userId });
      return result.outcome === 'issued' ? result.pair : undefined;
    },

    /** Logout: the token's family stops working; an unknown token changes nothing. */
    async logout(refreshToken: string) {
      const userId = await revokeFamilyOf(pool, secrets.hashToken(refreshToken));
      if (userId) await insertSecurityEvent(pool, { event: 'logout', subject: userId });
    },

    /**
     * Whether the token's user may still act, checked on every request, so that disabling a user ends
     * their access tokens at once in every API process, not only at their next refresh.
     */
    isActive: (userId: string) => activeUsers.isActive(userId),
    /** This process changed the user's access (disable, enable): no remembered answer outlives it. */
    accessChanged: (userId: string) => activeUsers.forget(userId),
  };
}
export type TokenService = ReturnType<typeof createTokenService>;

/** The token of an `Authorization: Bearer <token>` header, whichever issuer it is from. */
export function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
}

/** Sets req.caller from the bearer token, or answers 401. */
export function authenticate(tokens: TokenService): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    const caller = token ? tokens.verify(token) : undefined;
    if (!caller) return next(unauthorized());
    tokens.isActive(caller.id).then((active) => {
      if (!active) return next(unauthorized('This user is disabled'));
      req.caller = caller;
      next();
    }, next);
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.caller || !roles.includes(req.caller.role))
      return next(forbidden(`This needs one of the roles: ${roles.join(', ')}`));
    next();
  };
}

export const callerOf = (req: Request): Caller => {
  if (!req.caller) throw unauthorized();
  return req.caller;
};
