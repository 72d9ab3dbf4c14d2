import jwt from 'jsonwebtoken';
import { createTokenService } from '../../api/auth';
import { Remembered } from '../../api/remembered';
import type { Queryable } from '../../db/queryable';
import { newDataKey } from '../../lib/envelope';
import { createSecrets } from '../../lib/secrets';

/** Access tokens verified once per process, then remembered until they expire (api/auth.ts, api/remembered.ts). */
describe('verified access tokens', () => {
  const caller = { id: '7d0b6c1e-2f4a-4c59-9d8e-0a1b2c3d4e5f', email: 'staff@example.com', role: 'staff' as const };
  // issue() also stores the refresh token; the rows it writes are not what these tests are about.
  const refreshRows: Queryable = { query: async () => ({ rows: [], rowCount: 1 }) } as unknown as Queryable;
  const service = (secrets = createSecrets(newDataKey())) =>
    createTokenService({
      pool: undefined as never,
      secrets,
      accessTtlMs: 60_000,
      refreshTtlMs: 3_600_000,
      sessionMaxLifetimeMs: 86_400_000,
      activeUsers: { isActive: async () => true, forget: () => undefined },
    });

  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-02T10:00:00Z') }));
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('checks a token’s signature once, then knows it until it expires', async () => {
    const tokens = service();
    const { accessToken } = await tokens.issue(caller, refreshRows);
    const verify = jest.spyOn(jwt, 'verify');
    for (let i = 0; i < 50; i++) expect(tokens.verify(accessToken)).toEqual(caller);
    expect(verify).toHaveBeenCalledTimes(1);

    jest.setSystemTime(new Date('2026-12-02T10:00:59.999Z'));
    expect(tokens.verify(accessToken)).toEqual(caller);
    jest.setSystemTime(new Date('2026-12-02T10:01:00Z'));
    expect(tokens.verify(accessToken)).toBeUndefined();
    expect(tokens.verify(accessToken)).toBeUndefined();
  });

  it('verifies in full a token that differs in any byte from one it knows', async () => {
    const tokens = service();
    const { accessToken } = await tokens.issue(caller, refreshRows);
    expect(tokens.verify(accessToken)).toEqual(caller);

    const [header, payload, signature] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    expect(tokens.verify([header, promoted, signature].join('.'))).toBeUndefined();
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    expect(tokens.verify([header, payload, flipped].join('.'))).toBeUndefined();
  });

  it('does not take another key’s token for one it knows', async () => {
    const other = await service().issue(caller, refreshRows);
    expect(service().verify(other.accessToken)).toBeUndefined();
  });

  it('forgets the longest remembered first, past its bound', () => {
    const remembered = new Remembered<number>(10_000);
    const later = Date.now() + 60_000;
    for (let i = 0; i <= 10_000; i++) remembered.remember(`token-${i}`, i, later);
    expect(remembered.size).toBe(10_000);
    expect(remembered.get('token-0')).toBeUndefined();
    expect(remembered.get('token-1')).toBe(1);
    expect(remembered.get('token-10000')).toBe(10_000);
  });
});
