import jwt from 'jsonwebtoken';
import { loadDataKey } from '../../db/data-keys';
import { requireMasterKeys } from '../../lib/config';
import { createSecrets } from '../../lib/secrets';
import type { Stack } from './stack';

/** Forged and broken access tokens, each of which the API must answer 401. */
export const forgedTokens = {
  /** Unsigned: alg "none" with admin claims. */
  algNone: () =>
    `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({
        sub: '00000000-0000-4000-8000-000000000000',
        role: 'admin',
        iss: 'gangway',
        aud: 'gangway-api',
      }),
    ).toString('base64url')}.`,
  /** Well-formed claims signed with a key that is not the API's. */
  foreignKey: (sub = '00000000-0000-4000-8000-000000000000') =>
    jwt.sign({ role: 'admin', email: 'x@x.example' }, 'a foreign key', {
      subject: sub,
      issuer: 'gangway',
      audience: 'gangway-api',
    }),
  /** The platform's audience, not the API's. */
  wrongAudience: (sub = '00000000-0000-4000-8000-000000000000') =>
    jwt.sign({ role: 'admin', email: 'x@x.example' }, 'a foreign key', {
      subject: sub,
      issuer: 'gangway',
      audience: 'gangway-platform',
    }),
};

/** An access token signed with the stack's real key for a real user, expired a minute ago. */
export async function expiredToken(stack: Pick<Stack, 'db' | 'config'>, user: { id: string; email: string }) {
  const secrets = createSecrets(await loadDataKey(stack.db.pool, requireMasterKeys(stack.config)));
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ email: user.email, role: 'admin', iat: now - 600, exp: now - 60 }, secrets.keyFor('access-token'), {
    algorithm: 'HS256',
    subject: user.id,
    issuer: 'gangway',
    audience: 'gangway-api',
  });
}
