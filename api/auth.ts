import { createSecretKey } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import type { Pool } from 'pg';
import { insertRefreshToken, spendRefreshToken } from '../db/refresh-tokens';
import type { Role } from '../db/users';
import type { Secrets } from '../lib/secrets';
import { forbidden, unauthorized } from './problem';

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

/** Short-lived signed access tokens and opaque, rotating refresh tokens stored as keyed hashes. */
export function createTokenService(options: {
  pool: Pool;
  secrets: Secrets;
  accessTtlMs: number;
  refreshTtlMs: number;
}) {
  const { pool, secrets, accessTtlMs, refreshTtlMs } = options;
  // A KeyObject made once: given raw bytes, jsonwebtoken tries to parse them as a public key on every
  // call (a thrown and caught error), which the read-path profile showed as the top CPU cost.
  const signingKey = createSecretKey(secrets.keyFor('access-token'));

  async function issue(caller: Caller) {
    const expiresIn = Math.floor(accessTtlMs / 1000);
    const accessToken = jwt.sign({ email: caller.email, role: caller.role }, signingKey, {
      algorithm: 'HS256',
      subject: caller.id,
      issuer: ISSUER,
      audience: 'gangway-api',
      expiresIn,
    });
    const refreshToken = secrets.newToken();
    await insertRefreshToken(pool, {
      tokenHash: secrets.hashToken(refreshToken),
      userId: caller.id,
      expiresAt: new Date(Date.now() + refreshTtlMs),
    });
    return { accessToken, refreshToken, tokenType: 'Bearer' as const, expiresIn };
  }

  return {
    issue,

    verify(token: string): Caller | undefined {
      try {
        const claims = jwt.verify(token, signingKey, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: 'gangway-api',
        }) as jwt.JwtPayload;
        return { id: String(claims.sub), email: String(claims.email), role: claims.role as Role };
      } catch {
        return undefined;
      }
    },

    /** Spends the refresh token (a second use fails) and issues a new pair. */
    async refresh(refreshToken: string) {
      const user = await spendRefreshToken(pool, secrets.hashToken(refreshToken));
      return user ? issue(user) : undefined;
    },
  };
}
export type TokenService = ReturnType<typeof createTokenService>;

/** Sets req.caller from the bearer token, or answers 401. */
export function authenticate(tokens: TokenService): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const caller = match ? tokens.verify(match[1]) : undefined;
    if (!caller) return next(unauthorized());
    req.caller = caller;
    next();
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
