import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import jwt from 'jsonwebtoken';
import { freePort } from '../../infra/free-port';
import { clusterConnectionOptions, startCluster, type Cluster } from '../../infra/temporal-cluster';
import { CLUSTER_ADMIN_URL, clusterDatabases, clusterSkipReason } from '../support/cluster';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { runGangway, waitUntilReady } from '../support/deployment';
import { BUNDLE_ENV } from '../support/workflow-bundle';

/**
 * TEMPORAL_API_KEY against a real Temporal server that checks it: the cluster of
 * infra/temporal-cluster.ts with `authorization` (the server's default JWT claim mapper and
 * authorizer), whose signing keys come from a JWKS served here, as an identity provider would.
 * `gangway worker` runs as a real process: a token the server refuses stops it at start with one
 * line; a good one lets it become ready.
 *
 * Skipped, like temporal-cluster.test.ts, only when the server cannot be built here. Its own
 * databases (named after this checkout) and state directory; dropped after.
 */
const ROOT = path.join(__dirname, '..', '..');
const { databases: DATABASES, drop: dropDatabases } = clusterDatabases('auth');
const KID = 'gangway-test-key';

const skipReason = clusterSkipReason();
if (skipReason) console.warn(`temporal-cluster-auth.test.ts skipped: ${skipReason}`);

/** An RS256 JWT with the claims the server's default claim mapper reads. */
function token(key: KeyObject, options: { permissions?: string[]; expiresInSeconds?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    {
      sub: 'gangway-worker',
      permissions: options.permissions ?? ['temporal-system:admin', 'default:admin'],
      iat: now,
      exp: now + (options.expiresInSeconds ?? 3600),
    },
    key,
    { algorithm: 'RS256', keyid: KID },
  );
}

(skipReason ? describe.skip : describe)(
  'TEMPORAL_API_KEY against a real Temporal server that authorizes by JWT',
  () => {
    const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
    /** Another key under the same key id: its signatures do not verify with the published key. */
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let jwks: http.Server;
    let jwksRequests = 0;
    let cluster: Cluster;
    let db: TestDatabase;

    beforeAll(async () => {
      // The identity provider's JWKS endpoint: the public half of the signing key.
      const body = JSON.stringify({
        keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }],
      });
      jwks = http.createServer((_req, res) => {
        jwksRequests++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
      const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;

      await dropDatabases();
      db = await createTestDatabase();
      cluster = await startCluster({
        projectRoot: ROOT,
        stateDir: path.join(ROOT, '.data', 'cluster-auth-test'),
        ports: 'free',
        databaseAdminUrl: CLUSTER_ADMIN_URL,
        databases: DATABASES,
        ui: false,
        buildTimeoutMs: 18 * 60_000,
        authorization: { jwksUrl, token: token(signing.privateKey) },
      });
      console.info(
        `Temporal cluster with authorization on ${cluster.address}: ${cluster.startMs} ms to a usable namespace`,
      );
    }, 20 * 60_000);

    afterAll(async () => {
      await cluster?.stop();
      await db?.drop();
      await dropDatabases();
      await new Promise((resolve) => jwks?.close(resolve));
    }, 60_000);

    async function workerEnv(apiKey: string): Promise<Record<string, string>> {
      return {
        ...cluster.env,
        TEMPORAL_API_KEY: apiKey,
        TEMPORAL_TASK_QUEUE: `auth-${randomUUID()}`,
        TEMPORAL_CONNECT_TIMEOUT: '20s',
        DATABASE_URL: db.url,
        GANGWAY_MASTER_KEY: randomBytes(32).toString('base64'),
        GANGWAY_WORKFLOW_BUNDLE: process.env[BUNDLE_ENV]!,
        SMTP_URL: 'smtp://127.0.0.1:2525',
        WORKER_HEALTH_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
      };
    }

    /** What the frontend answers a call made with this token (besides the right client certificate). */
    async function answer(apiKey: string): Promise<{ code?: number; message: string } | 'ok'> {
      // Lazy: Connection.connect would wrap the answer to its first call in "Failed to connect to Temporal server".
      const connection = Connection.lazy({ ...(await clusterConnectionOptions(cluster)), apiKey });
      try {
        await connection.workflowService.describeNamespace({ namespace: cluster.namespace });
        return 'ok';
      } catch (err) {
        const { code, message } = err as { code?: number; message: string };
        return { code, message };
      } finally {
        await connection.close();
      }
    }

    it('serves the namespace only to a call with a token signed by the published key', async () => {
      expect(jwksRequests).toBeGreaterThan(0);
      expect(await answer(token(signing.privateKey))).toBe('ok');
      // PERMISSION_DENIED, without the reason (the server logs it): what waitForTemporal classifies as credentials.
      const refused = { code: 7, message: '7 PERMISSION_DENIED: Request unauthorized.' };
      expect(await answer(token(foreign.privateKey))).toEqual(refused);
      expect(await answer(token(signing.privateKey, { expiresInSeconds: -60 }))).toEqual(refused);
      // A valid token without a role in this namespace.
      expect(await answer(token(signing.privateKey, { permissions: ['other:admin'] }))).toEqual(refused);
    }, 30_000);

    it("lets the server's own system worker in (through the internal frontend): it deletes a namespace", async () => {
      // DeleteNamespace answers only once the system worker has run the delete-namespace workflow in temporal-system.
      const connection = await Connection.connect(await clusterConnectionOptions(cluster));
      try {
        const namespace = `doomed-${randomBytes(4).toString('hex')}`;
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(86_400_000),
        });
        const deadline = Date.now() + 45_000;
        for (;;) {
          try {
            const { deletedNamespace } = await connection.operatorService.deleteNamespace({ namespace });
            expect(deletedNamespace).toMatch(new RegExp(`^${namespace}-deleted-`));
            break;
          } catch (err) {
            // Not in the namespace registry yet (refreshed every second).
            if ((err as { code?: number }).code !== 5 || Date.now() > deadline) throw err;
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }
      } finally {
        await connection.close();
      }
    }, 60_000);

    it.each([
      ['signed by a key the identity provider does not publish', () => token(foreign.privateKey)],
      ['that has expired', () => token(signing.privateKey, { expiresInSeconds: -60 })],
    ])(
      'stops a worker at start with one line when TEMPORAL_API_KEY is a token %s',
      async (_what, apiKey) => {
        const proc = runGangway(['worker'], await workerEnv(apiKey()));
        const { code } = await proc.exited;
        const output = proc.output().trim();
        expect(code).toBe(2);
        expect(output.split('\n')).toHaveLength(1);
        expect(output).toBe(
          `gangway: Temporal at ${cluster.address} refused our credentials (check TEMPORAL_API_KEY or the client certificate): ` +
            'Failed to connect to Temporal server: 7 PERMISSION_DENIED: Request unauthorized.',
        );
      },
      60_000,
    );

    it('lets a worker with a valid token become ready, and stop cleanly on SIGTERM', async () => {
      const env = await workerEnv(token(signing.privateKey));
      const proc = runGangway(['worker'], env);
      try {
        await waitUntilReady(`http://127.0.0.1:${env.WORKER_HEALTH_PORT}`, proc, 60_000);
      } finally {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      }
      expect(await proc.exited).toEqual({ code: 0, signal: null });
    }, 90_000);
  },
);
