import type { Request } from 'express';
import type { Pool } from 'pg';
import { blockedFor, clearFailures, countAttempt, countFailure } from '../db/rate-limits';
import { insertSecurityEvent } from '../db/security-events';
import type { Config } from '../lib/config';
import type { Secrets } from '../lib/secrets';
import { tooManyRequests } from './problem';

/**
 * The abuse limits of docs/security.md, counted in PostgreSQL so that every API process shares them.
 * Each check throws a 429 problem with Retry-After; tokens are counted by their keyed hash, never in clear.
 */
export function createLimits(options: { pool: Pool; config: Config; secrets: Secrets }) {
  const { pool, secrets } = options;
  const l = options.config.limits;

  async function count(key: string, max: number, req?: Request) {
    const waitMs = await countAttempt(pool, key, max, l.windowMs);
    if (waitMs > 0) {
      await insertSecurityEvent(pool, { event: 'rate_limited', subject: key.split(':')[0], ip: req?.ip });
      throw tooManyRequests(waitMs);
    }
  }
  const accountKey = (email: string) => `login:${email.trim().toLowerCase()}`;

  return {
    /** Logins and one-time links from one address: a spray across accounts or tokens. */
    perIp: (req: Request) => count(`ip:${req.ip}`, l.perIp, req),
    /** Attempts on one refresh, collector, kit or set-password token. */
    perToken: (kind: 'refresh' | 'collect' | 'kit' | 'set-password', token: string, req: Request) =>
      count(`${kind}:${secrets.hashToken(token)}`, l.perToken, req),
    /** /oauth/token per presented client id, known or not. */
    perClient: (clientId: string, req: Request) => count(`client:${clientId}`, l.perClient, req),
    /** Onboarding starts per user. */
    starts: (userId: string, req: Request) => count(`start:${userId}`, l.starts, req),

    /** Refuses while an account is in its growing delay after repeated failures. */
    async loginAllowed(email: string) {
      const waitMs = await blockedFor(pool, accountKey(email));
      if (waitMs > 0) throw tooManyRequests(waitMs);
    },
    loginFailed: (email: string) =>
      countFailure(pool, accountKey(email), {
        free: l.loginFreeAttempts,
        baseDelayMs: l.loginDelayBaseMs,
        maxDelayMs: l.loginDelayMaxMs,
        windowMs: l.loginDelayMaxMs * 4,
      }),
    loginSucceeded: (email: string) => clearFailures(pool, accountKey(email)),
  };
}
export type Limits = ReturnType<typeof createLimits>;
