import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { collectorContext } from '../../activities/collection';
import { kitSecretContext } from '../../activities/api-clients';
import { run } from '../../cli/index';
import { loadDataKey } from '../../db/data-keys';
import { UnknownMasterKeyError } from '../../lib/envelope';
import { createSecrets } from '../../lib/secrets';
import { webhookSecretContext } from '../../notify/webhook-signing';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { completeOnboarding } from '../support/journey';
import { startStack, type Stack } from '../support/stack';

/** Envelope encryption: stored secrets survive a master key rotation once `gangway keys rewrap` has run. */
describe('master key rotation', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let stack: Stack;
  let portal: PortalStub;

  beforeAll(async () => {
    stack = await startStack({ GANGWAY_MASTER_KEY: oldKey });
    portal = await startPortalStub({ username: 'client1', password: 'portal-pass-1' });
  });
  afterAll(async () => {
    await stack?.stop();
    await portal?.close();
  });

  async function gangway(args: string[], env: Record<string, string>) {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) =>
      new Writable({ write: (chunk, _e, done) => (append(chunk.toString()), done()) });
    const code = await run(args, {
      stdin: Readable.from([]),
      stdout: sink((s) => (stdout += s)),
      stderr: sink((s) => (stderr += s)),
      env,
      cwd: process.cwd(),
    });
    return { code, stdout, stderr };
  }

  it('re-wraps the data key under the new master key, after which every stored credential still decrypts', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const journey = await completeOnboarding(stack, { staff, approver }, portal, ['portal-pass-1'], {
      notify: { email: 'ops@acme.example', webhookUrl: 'http://127.0.0.1:9/hook' },
    });
    const pool = stack.db.pool;

    // Nothing in the database holds the credential in clear.
    const { rows: dump } = await pool.query<{ t: string }>(
      "SELECT string_agg(c::text, ' ') AS t FROM collector_links c",
    );
    expect(dump[0].t).not.toContain('portal-pass-1');

    // The new key alone cannot open the data key yet: it was wrapped by the old one.
    await expect(loadDataKey(pool, { current: Buffer.from(newKey, 'base64'), previous: [] })).rejects.toThrow(
      UnknownMasterKeyError,
    );
    const db = { DATABASE_URL: stack.db.url };
    const refused = await gangway(['keys', 'rewrap'], { ...db, GANGWAY_MASTER_KEY: newKey });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/GANGWAY_PREVIOUS_MASTER_KEYS/);

    const rewrap = await gangway(['keys', 'rewrap'], {
      ...db,
      GANGWAY_MASTER_KEY: newKey,
      GANGWAY_PREVIOUS_MASTER_KEYS: oldKey,
    });
    expect(rewrap).toMatchObject({ code: 0, stderr: '' });
    expect(rewrap.stdout).toMatch(/re-wrapped 1 data key\(s\)/);
    expect(
      (await gangway(['keys', 'rewrap'], { ...db, GANGWAY_MASTER_KEY: newKey, GANGWAY_PREVIOUS_MASTER_KEYS: oldKey }))
        .stdout,
    ).toMatch(/re-wrapped 0 data key\(s\)/);

    // With only the new key, every sealed column opens: portal credentials, webhook secret, the kit's client secret.
    const secrets = createSecrets(await loadDataKey(pool, { current: Buffer.from(newKey, 'base64'), previous: [] }));
    await expect(loadDataKey(pool, { current: Buffer.from(oldKey, 'base64'), previous: [] })).rejects.toThrow(
      UnknownMasterKeyError,
    );
    const { rows: links } = await pool.query<{ id: string; credentials_sealed: string }>(
      'SELECT id, credentials_sealed FROM collector_links WHERE onboarding_id = $1',
      [journey.id],
    );
    expect(links.map((l) => JSON.parse(secrets.open(l.credentials_sealed, collectorContext(l.id))))).toEqual([
      { username: 'client1', password: 'portal-pass-1' },
    ]);
    const {
      rows: [onboarding],
    } = await pool.query<{ webhook_secret_enc: string }>('SELECT webhook_secret_enc FROM onboardings WHERE id = $1', [
      journey.id,
    ]);
    expect(secrets.open(onboarding.webhook_secret_enc, webhookSecretContext(journey.id))).toBe(journey.webhookSecret);
    const {
      rows: [kit],
    } = await pool.query<{ client_secret_sealed: string }>(
      'SELECT client_secret_sealed FROM kits WHERE onboarding_id = $1',
      [journey.id],
    );
    expect(secrets.open(kit.client_secret_sealed, kitSecretContext(journey.id))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
