import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createUser } from '../../db/users';
import { completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { linkIn, startBody, startStack, type Stack } from '../support/stack';
import { pollUntil } from '../support/wait';

/**
 * Issue #13, the API side: abuse limits, kits mail scanners cannot burn, API clients that belong to
 * their customers, sessions that end, and no 500 for malformed credentials. Limits are set low here.
 */
describe('trust: the API side', () => {
  let stack: Stack;
  let staff: { id: string; email: string; token: string };
  let admin: { id: string; email: string; token: string };
  let approver: { id: string; email: string; token: string };
  // A fresh address for every call: a random one could repeat one an earlier login counted against (CI saw
  // "limits logins per address" answered 429 before its 40th login).
  let addresses = 0;
  const ip = () => {
    addresses += 1;
    return `198.18.${Math.floor(addresses / 250)}.${1 + (addresses % 250)}`;
  };
  const password = () => `correct horse ${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    stack = await startStack({
      LOGIN_FREE_ATTEMPTS: '3',
      LOGIN_DELAY_BASE: '2s',
      RATE_LIMIT_PER_IP: '40',
      RATE_LIMIT_PER_TOKEN: '5',
      RATE_LIMIT_PER_CLIENT: '8',
      RATE_LIMIT_STARTS: '30',
      SESSION_MAX_LIFETIME: '20s',
    });
    staff = await stack.addUser('staff');
    admin = await stack.addUser('admin');
    approver = await stack.addUser('approver');
  });
  afterAll(() => stack?.stop());

  const login = (email: string, pw: string, from = ip()) =>
    stack.http('POST', '/v1/login', { body: { email, password: pw }, headers: { 'x-forwarded-for': from } });
  const expect429 = (res: { status: number; headers: Headers; body: any }) => {
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.body).toMatchObject({ status: 429, title: 'Too many requests' });
  };

  describe('abuse limits', () => {
    it('delays an account after a few wrong passwords, whatever the address, even for the right password', async () => {
      const pw = password();
      const user = await stack.addUser('staff', { password: pw });
      for (let i = 0; i < 3; i++) expect((await login(user.email, 'wrong password!!')).status).toBe(401);
      expect429(await login(user.email, 'wrong password!!'));
      expect429(await login(user.email, pw));
      const failures = await stack.db.pool.query(
        "SELECT count(*)::int AS n FROM security_events WHERE event = 'login_failed' AND subject = lower($1)",
        [user.email],
      );
      expect(failures.rows[0].n).toBeGreaterThanOrEqual(3);
    });

    it('limits logins per address across accounts', async () => {
      const from = ip();
      for (let i = 0; i < 40; i++)
        expect((await login(`nobody-${i}@x.example`, 'wrong password!!', from)).status).toBe(401);
      expect429(await login('nobody-else@x.example', 'wrong password!!', from));
    });

    it('limits /oauth/token per client id', async () => {
      const client = { clientId: `gw_nope_${randomBytes(3).toString('hex')}`, clientSecret: 'x' };
      const answers = [];
      for (let i = 0; i < 9; i++)
        answers.push((await oauthToken(stack, client, { grant_type: 'client_credentials' })).status);
      expect(answers.slice(0, 8)).toEqual(Array(8).fill(401));
      expect(answers[8]).toBe(429);
    });

    it.each([
      ['refresh', 'POST', '/v1/token/refresh', { refreshToken: 'r' }],
      ['set-password', 'POST', '/v1/set-password/TOKEN', { password: 'a long enough password here' }],
      ['collector', 'POST', '/v1/collect/TOKEN', { username: 'u', password: 'p' }],
      ['kit', 'POST', '/v1/kits/TOKEN', undefined],
    ])('limits %s per token', async (_what, method, path, body) => {
      const token = randomBytes(8).toString('hex');
      const send = () =>
        stack.http(method, path.replace('TOKEN', token), {
          body: body && (body as any).refreshToken ? { refreshToken: token } : body,
          headers: { 'x-forwarded-for': ip() },
        });
      for (let i = 0; i < 5; i++) expect((await send()).status).not.toBe(429);
      expect429(await send());
    });

    it('limits starts per user', async () => {
      const starter = await stack.addUser('staff');
      const start = () => stack.http('POST', '/v1/onboardings', { token: starter.token, body: { tenant: {} } });
      for (let i = 0; i < 30; i++) expect((await start()).status).toBe(400);
      expect429(await start());
      // Counted beside the start's lookups, it still refuses a valid start before anything is written.
      const body = startBody({ approverEmail: approver.email });
      expect429(await stack.http('POST', '/v1/onboardings', { token: starter.token, body }));
      const { rows } = await stack.db.pool.query('SELECT 1 FROM onboardings WHERE partner_provided_id = $1', [
        body.tenant.partnerProvidedId,
      ]);
      expect(rows).toEqual([]);
    });

    it('answers an unknown set-password link 410 before any password check', async () => {
      const res = await stack.http('POST', `/v1/set-password/${randomBytes(8).toString('hex')}`, {
        body: { password: 'short' },
      });
      expect(res.status).toBe(410);
    });

    it('refuses people passwords under 12 characters or on the common-password list', async () => {
      await expect(
        createUser(stack.db.pool, { email: 'short@x.example', role: 'staff', password: 'short-pw' }),
      ).rejects.toThrow(/12 characters/);
      await expect(
        createUser(stack.db.pool, { email: 'common@x.example', role: 'staff', password: '1qaz2wsx3edc' }),
      ).rejects.toThrow(/common/);
    });
  });

  describe('kits mail scanners cannot burn', () => {
    let kitMail: { text: string };
    let token: string;

    beforeAll(async () => {
      const done = await completeOnboarding(stack, { staffToken: staff.token, approver }, {}, { reveal: false });
      kitMail = done.kitMail;
      token = new URL(linkIn(kitMail.text, '/kit/')).pathname.split('/').pop()!;
    });

    it('mails a page link; the page, HEAD and GET consume nothing; POST reveals once, then 410', async () => {
      expect(kitMail.text).toContain(`/kit/${token}`);
      const page = await stack.http('GET', `/kit/${token}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      expect(page.text).toMatch(/<form method="post" action="\/v1\/kits\//);
      expect(page.text).not.toMatch(/<script|https?:\/\/cdn/i);
      for (const method of ['HEAD', 'GET']) {
        const res = await stack.http(method, `/v1/kits/${token}`);
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
        expect(res.text).not.toMatch(/clientSecret/);
      }
      const reveal = await stack.http('POST', `/v1/kits/${token}`);
      expect(reveal.status).toBe(200);
      expect(reveal.body.clientSecret).toEqual(expect.any(String));
      expect(reveal.headers.get('cache-control')).toBe('no-store');
      expect(reveal.headers.get('pragma')).toBe('no-cache');
      expect((await stack.http('POST', `/v1/kits/${token}`)).status).toBe(410);
    });
  });

  describe('API clients belong to their customers', () => {
    let client: { clientId: string; clientSecret: string };
    let notifyEmail: string;
    let tenantId: string;

    beforeAll(async () => {
      const done = await completeOnboarding(stack, { staffToken: staff.token, approver });
      client = { clientId: done.kit.clientId, clientSecret: done.kit.clientSecret };
      notifyEmail = done.body.notify.email;
      tenantId = (await stack.http('GET', `/v1/clients/${client.clientId}`, { token: staff.token })).body.tenants[0]
        .tenantId;
    });

    it('a staff rotation mails the customer a one-time link, never answers the secret, and is audited', async () => {
      const rotated = await stack.http('POST', `/v1/clients/${client.clientId}/rotate-secret`, {
        token: staff.token,
        body: { reason: 'customer asked on the phone', revokePrevious: true },
      });
      expect(rotated.status).toBe(202);
      expect(JSON.stringify(rotated.body)).not.toMatch(/clientSecret/);
      const mail = await stack.mail.waitFor((m) => m.to.includes(notifyEmail) && /new client secret/i.test(m.subject));
      const link = new URL(linkIn(mail.text, '/kit/'));
      const revealed = await stack.http('POST', link.pathname.replace('/kit/', '/v1/kits/'));
      expect(revealed.status).toBe(200);
      expect(revealed.body).toMatchObject({ clientId: client.clientId, clientSecret: expect.any(String) });
      // revokePrevious: the old secret stops at once.
      expect((await oauthToken(stack, client, { grant_type: 'client_credentials' })).status).toBe(401);
      client = { clientId: client.clientId, clientSecret: revealed.body.clientSecret };
      expect((await oauthToken(stack, client, { grant_type: 'client_credentials' })).status).toBe(200);
      const audit = await stack.db.pool.query(
        'SELECT actor, event, reason FROM security_events WHERE subject = $1 ORDER BY id',
        [client.clientId],
      );
      expect(audit.rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: staff.email,
            event: 'client_secret_rotated',
            reason: 'customer asked on the phone',
          }),
        ]),
      );
    });

    it('attaching a tenant the caller does not administer is refused, and archived tenants are refused', async () => {
      const other = await stack.http('POST', '/v1/tenants', {
        token: admin.token,
        body: { partnerProvidedId: `t-${randomBytes(3).toString('hex')}`, name: 'Other', plan: 'TRADE' },
      });
      const path = `/v1/clients/${client.clientId}/tenants`;
      const byStaff = await stack.http('POST', path, {
        token: staff.token,
        body: { tenant: other.body.tenantId, reason: 'r' },
      });
      expect(byStaff.status).toBe(403);
      await stack.http('DELETE', `/v1/tenants/${other.body.tenantId}`, { token: admin.token });
      const archived = await stack.http('POST', path, {
        token: admin.token,
        body: { tenant: other.body.tenantId, reason: 'r' },
      });
      expect(archived.status).toBe(409);
    });

    it('a tenant with access is not deleted but offboarded, and then gets no tokens', async () => {
      expect((await oauthToken(stack, client, { grant_type: 'client_credentials' })).status).toBe(200);
      // Deleting would leave its client working: refused, pointing at the offboarding.
      expect((await stack.http('DELETE', `/v1/tenants/${tenantId}`, { token: admin.token })).status).toBe(409);
      expect((await oauthToken(stack, client, { grant_type: 'client_credentials' })).status).toBe(200);

      const started = await stack.http('POST', `/v1/tenants/${tenantId}/offboard`, {
        token: admin.token,
        body: { reason: 'contract ended' },
      });
      expect(started.status).toBe(202);
      const offboarding = await pollUntil(
        async () => (await stack.http('GET', `/v1/offboardings/${started.body.id}`, { token: admin.token })).body,
        (o) => o.status !== 'RUNNING',
        { timeoutMs: 30_000 },
      );
      expect(offboarding.status).toBe('COMPLETED');
      const res = await oauthToken(stack, client, { grant_type: 'client_credentials' });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });
  });

  describe('sessions', () => {
    it('a disabled user can neither log in nor refresh; enabled again, they can', async () => {
      const pw = password();
      const user = await stack.addUser('approver', { password: pw });
      const session = await login(user.email, pw);
      const list = await stack.http('GET', '/v1/users', { token: admin.token });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ email: user.email, disabledAt: null })]),
      );
      expect((await stack.http('GET', '/v1/users', { token: staff.token })).status).toBe(403);
      expect((await stack.http('GET', '/v1/approvals', { token: session.body.accessToken })).status).toBe(200);
      expect((await stack.http('POST', `/v1/users/${user.id}/disable`, { token: admin.token })).status).toBe(200);
      expect((await login(user.email, pw)).status).toBe(401);
      const refresh = await stack.http('POST', '/v1/token/refresh', {
        body: { refreshToken: session.body.refreshToken },
      });
      expect(refresh.status).toBe(401);
      expect((await stack.http('GET', '/v1/approvals', { token: session.body.accessToken })).status).toBe(401);
      expect((await stack.http('POST', `/v1/users/${user.id}/enable`, { token: admin.token })).status).toBe(200);
      expect((await login(user.email, pw)).status).toBe(200);
    });

    it('logout ends the family; a reused refresh token revokes its whole family', async () => {
      const pw = password();
      const user = await stack.addUser('staff', { password: pw });
      const first = (await login(user.email, pw)).body;
      const second = (await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: first.refreshToken } }))
        .body;
      expect(second.refreshToken).toEqual(expect.any(String));
      // The first token again: a thief or a replay. Both it and its successor stop working.
      expect(
        (await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: first.refreshToken } })).status,
      ).toBe(401);
      expect(
        (await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: second.refreshToken } })).status,
      ).toBe(401);

      const other = (await login(user.email, pw)).body;
      expect((await stack.http('POST', '/v1/logout', { body: { refreshToken: other.refreshToken } })).status).toBe(204);
      expect(
        (await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: other.refreshToken } })).status,
      ).toBe(401);
    });

    it('a family ends at SESSION_MAX_LIFETIME however often it is refreshed', async () => {
      const pw = password();
      const user = await stack.addUser('staff', { password: pw });
      const first = (await login(user.email, pw)).body;
      const slid = await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: first.refreshToken } });
      expect(slid.status).toBe(200);
      // The login was longer ago than SESSION_MAX_LIFETIME (20s here): the fresh token of its family is refused.
      await stack.db.pool.query(
        "UPDATE refresh_tokens SET family_started_at = now() - interval '21 seconds' WHERE user_id = $1",
        [user.id],
      );
      const res = await stack.http('POST', '/v1/token/refresh', { body: { refreshToken: slid.body.refreshToken } });
      expect(res.status).toBe(401);
    });
  });

  describe('hygiene', () => {
    const signed = (payload: object, key: string, options: jwt.SignOptions) => jwt.sign(payload, key, options);

    it.each([
      ['a bad % escape in HTTP Basic', `Basic ${Buffer.from('a%zz:b%').toString('base64')}`],
      ['a Basic without a colon', `Basic ${Buffer.from('abc').toString('base64')}`],
    ])('answers %s at /oauth/token with invalid_client, not 500', async (_what, authorization) => {
      const res = await stack.http('POST', '/oauth/token', {
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    });

    it.each([
      ['a malformed JWT', 'not.a.jwt'],
      [
        'alg:none',
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","role":"admin","iss":"gangway","aud":"gangway-api"}').toString('base64url')}.`,
      ],
      [
        'a foreign key',
        signed({ role: 'admin', email: 'x@x' }, 'foreign', {
          subject: 'x',
          issuer: 'gangway',
          audience: 'gangway-api',
        }),
      ],
      [
        'wrong audience',
        signed({ role: 'admin' }, 'foreign', { subject: 'x', issuer: 'gangway', audience: 'gangway-platform' }),
      ],
    ])('answers %s with 401', async (_what, token) => {
      expect((await stack.http('GET', '/v1/onboardings', { token })).status).toBe(401);
    });

    it('sends security headers on every response, and no-store on token answers', async () => {
      const health = await stack.http('GET', '/healthz');
      expect(health.headers.get('x-content-type-options')).toBe('nosniff');
      expect(health.headers.get('strict-transport-security')).toMatch(/max-age=/);
      expect(health.headers.get('x-frame-options')).toBe('DENY');
      const pw = password();
      const user = await stack.addUser('staff', { password: pw });
      const tokens = await login(user.email, pw);
      expect(tokens.headers.get('cache-control')).toBe('no-store');
      expect(tokens.headers.get('pragma')).toBe('no-cache');
      const refreshed = await stack.http('POST', '/v1/token/refresh', {
        body: { refreshToken: tokens.body.refreshToken },
      });
      expect(refreshed.headers.get('cache-control')).toBe('no-store');
    });
  });
});
