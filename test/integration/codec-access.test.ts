import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { freePort } from '../../infra/free-port';
import { loadConfig, requireMasterKeys } from '../../lib/config';
import { createPayloadCodec } from '../../lib/payload-codec';
import { startStack, type Stack } from '../support/stack';

const ISSUER = 'https://id.gangway.example/realms/staff';
const AUDIENCE = 'temporal-ui';
const UI_ORIGIN = 'http://127.0.0.1:8233';

/** An identity provider's signing key: its public half is published in the JWKS under `kid`. */
function signingKey(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid, use: 'sig', alg: 'RS256' };
  return { kid, privateKey, jwk };
}

function token(key: { kid: string; privateKey: KeyObject }, claims: Record<string, unknown> = {}) {
  return jwt.sign({ iss: ISSUER, aud: AUDIENCE, sub: 'staff-1', ...claims }, key.privateKey, {
    algorithm: 'RS256',
    keyid: key.kid,
    ...(claims.exp === undefined ? { expiresIn: 300 } : {}),
  });
}

/**
 * Who may have the codec decode: the identity provider's users (the Temporal Web UI passes their
 * access token on), verified against its JWKS served over real HTTP; staff with a gangway token;
 * anyone on the loopback admin listener, which the dev UI uses.
 */
describe('codec access', () => {
  const published = signingKey('key-1');
  const unpublished = signingKey('key-2');
  let jwks: Server;
  let jwksRequests = 0;
  let stack: Stack;
  let codecPort: number;
  let wire: { payloads: { metadata: Record<string, string>; data: string }[] };

  beforeAll(async () => {
    jwks = createServer((req, res) => {
      jwksRequests++;
      if (req.url !== '/certs') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [published.jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    codecPort = await freePort();
    stack = await startStack({
      CODEC_OIDC_ISSUER: ISSUER,
      CODEC_OIDC_AUDIENCE: AUDIENCE,
      CODEC_OIDC_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`,
      CODEC_PORT: String(codecPort),
      CODEC_CORS_ORIGINS: UI_ORIGIN,
    });
    const [sealed] = await createPayloadCodec(requireMasterKeys(stack.config)).encode([
      {
        metadata: { encoding: new TextEncoder().encode('json/plain') },
        data: new TextEncoder().encode(JSON.stringify({ tenant: { name: 'Northwind Freight' } })),
      },
    ]);
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    wire = {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(sealed.metadata!).map(([k, v]) => [k, b64(v)])),
          data: b64(sealed.data!),
        },
      ],
    };
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const decodedText = (body: any) => Buffer.from(body.payloads[0].data, 'base64').toString('utf8');
  const decode = (bearer?: string) =>
    stack.http('POST', '/codec/decode', { body: wire, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

  it('decodes for a valid access token of the identity provider, fetched keys and all', async () => {
    const answer = await decode(token(published));
    expect(answer.status).toBe(200);
    expect(decodedText(answer.body)).toContain('Northwind Freight');
    expect(jwksRequests).toBeGreaterThan(0);
  });

  it.each([
    ['another issuer', () => token(published, { iss: 'https://elsewhere.example' })],
    ['another audience', () => token(published, { aud: 'some-other-app' })],
    ['an expired token', () => token(published, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ['a key the JWKS does not publish', () => token(unpublished)],
    ['no subject', () => token(published, { sub: undefined })],
    [
      'a symmetric signature',
      () => jwt.sign({ iss: ISSUER, aud: AUDIENCE, sub: 's' }, 'guess', { algorithm: 'HS256', keyid: 'key-1' }),
    ],
    ['garbage', () => 'not-a-jwt'],
  ])('refuses %s with 401 and decodes nothing', async (_what, make) => {
    const answer = await decode(make());
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain('Northwind');
  });

  it('still decodes for staff and refuses approvers and the anonymous', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    expect(decodedText((await decode(staff.token)).body)).toContain('Northwind Freight');
    expect((await decode(approver.token)).status).toBe(403);
    expect((await decode()).status).toBe(401);
  });

  it("the admin listener decodes without a token, and answers the UI origin's preflight", async () => {
    const base = `http://127.0.0.1:${codecPort}`;
    const preflight = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const answer = await fetch(`${base}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: UI_ORIGIN, 'x-namespace': 'default' },
      body: JSON.stringify(wire),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(decodedText(await answer.json())).toContain('Northwind Freight');
    // It is the codec only: nothing else of the API is reachable there.
    expect((await fetch(`${base}/v1/onboardings`)).status).toBe(404);
    // An origin not configured gets no CORS grant (the browser then withholds the answer).
    const foreign = await fetch(`${base}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a partial identity provider setting at start, naming the three variables', () => {
    expect(() => loadConfig({ CODEC_OIDC_ISSUER: ISSUER })).toThrow(
      /CODEC_OIDC_ISSUER, CODEC_OIDC_AUDIENCE and CODEC_OIDC_JWKS_URL go together/,
    );
  });
});
