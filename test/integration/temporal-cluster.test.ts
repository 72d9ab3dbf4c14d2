import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import {
  GANGWAY_SEARCH_ATTRIBUTES,
  NUM_HISTORY_SHARDS,
  TEMPORAL_SERVER_VERSION,
  clusterConnectionOptions,
  startCluster,
  type Cluster,
} from '../../infra/temporal-cluster';
import { CLUSTER_ADMIN_URL, clusterDatabases, clusterSkipReason } from '../support/cluster';

/**
 * The real Temporal server (infra/temporal-cluster.ts): PostgreSQL persistence, several history
 * shards, the frontend on mutual TLS. The first run on a machine builds the server with Go: 6 to 10
 * minutes on 2 busy cores (docs/cluster.md), hence the 20-minute setup timeout; .ci/run builds it
 * before the tests (ensure_temporal_server), and later runs start it in a few seconds.
 *
 * Skipped only when it cannot be built here: nothing cached and no Go toolchain. Its databases are
 * its own (named after this checkout, so that two checkouts do not share them) and are dropped after.
 */
const ROOT = path.join(__dirname, '..', '..');
const ADMIN_URL = CLUSTER_ADMIN_URL;
const { databases: DATABASES, drop: dropDatabases } = clusterDatabases('test');
const skipReason = clusterSkipReason();
if (skipReason) console.warn(`temporal-cluster.test.ts skipped: ${skipReason}`);

(skipReason ? describe.skip : describe)('a real Temporal server over mTLS', () => {
  let cluster: Cluster;
  let caPem: Buffer;

  beforeAll(async () => {
    await dropDatabases();
    const started = Date.now();
    cluster = await startCluster({
      projectRoot: ROOT,
      stateDir: path.join(ROOT, '.data', 'cluster-test'),
      ports: 'free',
      databaseAdminUrl: ADMIN_URL,
      databases: DATABASES,
      ui: true,
      buildTimeoutMs: 18 * 60_000,
    });
    caPem = await readFile(cluster.tls.caCert);
    console.info(
      `Temporal cluster on ${cluster.address} (UI ${cluster.uiUrl ?? 'none'}): ${Date.now() - started} ms in all, ` +
        `${cluster.startMs} ms from spawning the server to a usable namespace`,
    );
  }, 20 * 60_000);

  afterAll(async () => {
    await cluster?.stop();
    await dropDatabases();
  }, 60_000);

  async function withClient<T>(fn: (client: Client, connection: Connection) => Promise<T>): Promise<T> {
    const connection = await Connection.connect(await clusterConnectionOptions(cluster));
    try {
      return await fn(new Client({ connection, namespace: cluster.namespace }), connection);
    } finally {
      await connection.close();
    }
  }

  /** What Connection.connect (plus one call) rejects with, or undefined if the client was let in. */
  async function refusal(options: Parameters<typeof Connection.connect>[0]): Promise<Error | undefined> {
    try {
      const connection = await Connection.connect({ ...options, connectTimeout: 3_000 });
      try {
        await connection.withDeadline(Date.now() + 3_000, () => connection.workflowService.getSystemInfo({}));
      } finally {
        await connection.close();
      }
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  /**
   * The server's own reason, which grpc-js hides behind "Failed to connect before the deadline": a
   * raw TLS 1.3 handshake completes on the client's side, then the server's alert arrives as an error.
   */
  async function handshakeAlert(clientCert?: { cert: Buffer; key: Buffer }): Promise<string> {
    const [host, port] = cluster.address.split(':');
    return new Promise((resolve) => {
      const socket = tls.connect({
        host,
        port: Number(port),
        servername: cluster.tls.serverName,
        ca: caPem,
        ALPNProtocols: ['h2'],
        ...clientCert,
      });
      const timer = setTimeout(() => socket.destroy(), 5_000);
      // The HTTP/2 preface: the server answers it with SETTINGS once it accepted the certificate.
      socket.once('secureConnect', () => socket.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      socket.once('data', () => socket.destroy());
      let outcome = 'accepted';
      socket.once('error', (err: NodeJS.ErrnoException) => (outcome = err.code ?? err.message));
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  }

  it('is the server at the pinned version, on PostgreSQL with its history shards', async () => {
    const info = await withClient((_client, connection) => connection.workflowService.getSystemInfo({}));
    expect(`v${info.serverVersion}`).toBe(TEMPORAL_SERVER_VERSION);
    const pg = new PgClient({ connectionString: withDatabase(ADMIN_URL, DATABASES.default) });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ count: string }>('SELECT count(*) FROM shards');
      expect(Number(rows[0].count)).toBe(NUM_HISTORY_SHARDS);
    } finally {
      await pg.end();
    }
  }, 30_000);

  it('serves the namespace with the search attributes, and runs a workflow (started by name, no worker) until terminated', async () => {
    await withClient(async (client, connection) => {
      const described = await connection.workflowService.describeNamespace({ namespace: cluster.namespace });
      expect(described.namespaceInfo?.name).toBe(cluster.namespace);
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: cluster.namespace,
      });
      expect(Object.keys(customAttributes ?? {})).toEqual(
        expect.arrayContaining(Object.keys(GANGWAY_SEARCH_ATTRIBUTES)),
      );

      const workflowId = `cluster-smoke-${randomUUID()}`;
      const handle = await client.workflow.start('nobodyRunsThis', {
        taskQueue: `no-worker-${randomUUID()}`,
        workflowId,
        args: [{ hello: 'cluster' }],
      });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await handle.terminate('cluster smoke test');
      expect((await handle.describe()).status.name).toBe('TERMINATED');
    });
  }, 30_000);

  it('lets in the worker side too: a native (Rust core) connection with the same certificates', async () => {
    const connection = await NativeConnection.connect({
      address: cluster.address,
      tls: {
        serverNameOverride: cluster.tls.serverName,
        serverRootCACertificate: await readFile(cluster.tls.caCert),
        clientCertPair: { crt: await readFile(cluster.tls.clientCert), key: await readFile(cluster.tls.clientKey) },
      },
    });
    await connection.close();
  }, 30_000);

  it('refuses a client that presents no certificate', async () => {
    const err = await refusal({
      address: cluster.address,
      tls: { serverNameOverride: cluster.tls.serverName, serverRootCACertificate: caPem },
    });
    expect(err?.message).toMatch(/Failed to connect before the deadline/);
    expect(await handshakeAlert()).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  }, 30_000);

  it('refuses a plaintext client', async () => {
    const err = await refusal({ address: cluster.address });
    expect(err?.message).toMatch(/Failed to connect before the deadline/);
  }, 30_000);

  it('refuses a client certificate from another CA', async () => {
    const certs = cluster.certificates;
    const wrong = { cert: await readFile(certs.wrongClientCert), key: await readFile(certs.wrongClientKey) };
    const err = await refusal({
      address: cluster.address,
      tls: {
        serverNameOverride: cluster.tls.serverName,
        serverRootCACertificate: caPem,
        clientCertPair: { crt: wrong.cert, key: wrong.key },
      },
    });
    expect(err?.message).toMatch(/Failed to connect before the deadline/);
    expect(await handshakeAlert(wrong)).toBe('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
    // The same handshake with the right certificate gets through: the alerts above are about the certificate.
    expect(await handshakeAlert({ cert: await readFile(certs.clientCert), key: await readFile(certs.clientKey) })).toBe(
      'accepted',
    );
  }, 30_000);

  it('serves the Temporal UI, which reaches the frontend with its client certificate', async () => {
    expect(cluster.uiError).toBeUndefined();
    const response = await fetch(`${cluster.uiUrl}/api/v1/namespaces/${cluster.namespace}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { namespaceInfo?: { name?: string } };
    expect(body.namespaceInfo?.name).toBe(cluster.namespace);
    expect((await fetch(`${cluster.uiUrl}/`)).status).toBe(200);
  }, 30_000);
});

function withDatabase(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
