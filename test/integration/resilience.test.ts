import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../infra/free-port';
import { findTemporalCli } from '../../infra/temporal-cli';
import { startDevServer, type DevServer } from '../../infra/temporal-dev-server';
import { startBody, startStack, type Stack } from '../support/stack';

/** The worker and the API outlive their servers: PostgreSQL dropping connections, Temporal restarting. */
describe('resilience', () => {
  let dir: string;
  let port: number;
  let cliPath: string;
  let server: DevServer;
  let stack: Stack;

  const startTemporal = () => startDevServer({ cliPath, port, dbFile: path.join(dir, 'temporal.sqlite') });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-resilience-'));
    port = await freePort();
    cliPath = await findTemporalCli({ projectRoot: path.join(__dirname, '..', '..') });
    server = await startTemporal();
    stack = await startStack({ TEMPORAL_ADDRESS: server.address });
  });
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('carries on after PostgreSQL drops every connection and after Temporal restarts', async () => {
    const staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({ approverEmail: approver.email }),
    });
    const { id } = started.body;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');

    // What a database restart looks like to its clients: every connection is gone at once.
    await stack.db.pool.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    expect(
      (
        await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
          token: approver.token,
          body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
        })
      ).status,
    ).toBe(200);

    await server.stop();
    expect((await stack.http('GET', '/readyz')).status).toBe(503);
    server = await startTemporal();
    // Once Temporal is back, the API's connection and the supervised worker pick up where they were.
    const deadline = Date.now() + 30_000;
    let decided = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
      token: approver.token,
      body: { subscription: 'INVOICING', decision: 'APPROVE' },
    });
    while (decided.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      decided = await stack.http('POST', `/v1/onboardings/${id}/approvals`, {
        token: approver.token,
        body: { subscription: 'INVOICING', decision: 'APPROVE' },
      });
    }
    expect(decided.status).toBe(200);
    const done = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED', 60_000);
    expect(done.subscriptions.map((s: any) => s.status)).toEqual(['ASSIGNED', 'ASSIGNED']);
  });
});
