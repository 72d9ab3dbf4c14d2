import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort } from '../../infra/free-port';
import { startDevServer, type DevServer } from '../../infra/temporal-dev-server';
import { findTemporalCli } from '../../infra/temporal-cli';
import { completeOnboarding, oauthToken } from '../support/complete-onboarding';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { runGangway, startDeployment } from '../support/deployment';
import { BUNDLE_ENV } from '../support/workflow-bundle';

/** `gangway migrate`, `gangway api` and `gangway worker` as the separate processes a deployment runs. */
describe('the production entry points', () => {
  let db: TestDatabase;
  let migratedDb: TestDatabase;
  const key = randomBytes(32).toString('base64');
  const base = () => ({
    DATABASE_URL: db.url,
    GANGWAY_MASTER_KEY: key,
    TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
    LOG_LEVEL: 'warn',
  });

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    migratedDb = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
    await migratedDb?.drop();
  });

  /** Runs a command that must end by itself, and returns its exit code and what it printed. */
  async function runToEnd(args: string[], env: Record<string, string>) {
    const proc = runGangway(args, env);
    const { code } = await proc.exited;
    return { code, output: proc.output().trim() };
  }

  it('refuses to serve a schema that is behind, and migrate applies it once', async () => {
    const behind = await runToEnd(['api'], { ...base(), PORT: String(await freePort()) });
    expect(behind.code).toBe(2);
    expect(behind.output).toMatch(
      /^gangway: the database schema is behind \(001_init\.sql.*not applied\)\n {2}run `gangway migrate` first$/,
    );

    const first = await runToEnd(['migrate'], base());
    expect(first).toEqual({ code: 0, output: expect.stringMatching(/^applied \d+ migration\(s\): 001_init\.sql/) });
    expect(await runToEnd(['migrate'], base())).toEqual({ code: 0, output: 'the schema is up to date' });
  });

  it.each([
    [
      'a certificate that cannot be read',
      {
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/nonexistent/client.key',
      },
      /^gangway: invalid configuration: TEMPORAL_TLS_CLIENT_CERT_PATH: ENOENT/,
    ],
    [
      'an unreachable Temporal',
      { TEMPORAL_ADDRESS: 'UNREACHABLE', TEMPORAL_CONNECT_TIMEOUT: '2s' },
      /^gangway: Temporal at 127\.0\.0\.1:\d+ did not answer within 2 s \(TEMPORAL_ADDRESS, TEMPORAL_CONNECT_TIMEOUT\)/,
    ],
    [
      'a misspelled variable in production',
      { GANGWAY_ENV: 'production', GANGWAY_MASTR_KEY: 'x' },
      /^gangway: invalid configuration: GANGWAY_MASTR_KEY is not a setting gangway knows \(did you mean GANGWAY_MASTER_KEY\?\)$/,
    ],
    [
      'a missing setting in production',
      {
        GANGWAY_ENV: 'production',
        SMTP_URL: 'smtp://mail.internal:587',
        PUBLIC_URL: 'https://gangway.example',
        GANGWAY_MASTER_KEY: '',
      },
      /^gangway: GANGWAY_ENV=production: GANGWAY_MASTER_KEY is required \(never a generated key file in production: keep it in a secret manager\)$/,
    ],
    [
      'a bad duration',
      { TEMPORAL_CONNECT_TIMEOUT: 'soon' },
      /^gangway: invalid configuration: TEMPORAL_CONNECT_TIMEOUT: not a duration: "soon"/,
    ],
  ])('stops a worker at start with one line naming %s', async (_what, overrides, line) => {
    const env: Record<string, string> = {
      ...base(),
      DATABASE_URL: migratedDb.url,
      GANGWAY_WORKFLOW_BUNDLE: process.env[BUNDLE_ENV]!,
      SMTP_URL: 'smtp://127.0.0.1:2525',
      WORKER_HEALTH_PORT: String(await freePort()),
      ...overrides,
    };
    if (env.TEMPORAL_ADDRESS === 'UNREACHABLE') env.TEMPORAL_ADDRESS = `127.0.0.1:${await freePort()}`;
    for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
    const { code, output } = await runToEnd(['worker'], env);
    expect(code).toBe(2);
    expect(output.split('\n')).toHaveLength(1);
    expect(output).toMatch(line);
  });

  describe('deployed as separate processes', () => {
    let deployment: Awaited<ReturnType<typeof startDeployment>>;
    let temporal: DevServer;

    beforeAll(async () => {
      // A Temporal server of this test's own, which it stops to show what keeps answering without it.
      const cliPath = await findTemporalCli({ projectRoot: path.join(__dirname, '..', '..') });
      temporal = await startDevServer({ cliPath, port: await freePort() });
      deployment = await startDeployment({
        apis: 1,
        workers: 1,
        env: { TEMPORAL_ADDRESS: temporal.address, SHUTDOWN_DRAIN_DELAY: '2s' },
      });
    });
    afterAll(async () => {
      await deployment?.stop();
      await temporal?.stop();
    });

    it('onboards through them, keeps the PostgreSQL-only endpoints answering while Temporal is away, and drains on SIGTERM', async () => {
      const staff = await deployment.addUser('staff');
      const approver = await deployment.addUser('approver');
      const { kit } = await completeOnboarding(deployment, { staffToken: staff.token, approver });
      const [api] = deployment.apis;
      const [worker] = deployment.workers;
      expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);

      await temporal.stop();
      const readiness = await fetch(`${api.url}/readyz`);
      expect(readiness.status).toBe(503);
      expect(await readiness.json()).toMatchObject({ checks: { database: 'up', temporal: 'down' } });
      // The probe a load balancer uses keeps the API in service for what needs PostgreSQL alone.
      expect((await fetch(`${api.url}/readyz?require=database`)).status).toBe(200);
      const token = await oauthToken(deployment, kit, { grant_type: 'client_credentials' });
      expect(token.status).toBe(200);
      expect((await deployment.http('GET', '/healthz')).status).toBe(200);

      for (const proc of [api, worker]) {
        proc.child.kill('SIGTERM');
        // Still listening, and saying it is on its way out, for the drain delay; then gone, cleanly.
        await until(async () => (await fetch(`${proc.url}/readyz`)).status === 503);
        expect(await proc.exited).toEqual({ code: 0, signal: null });
      }
    });
  });
});

/** Polls until the condition holds (a signal reaches a process a moment after kill returns). */
async function until(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
