import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createUser } from '../../db/users';
import { freePort } from '../../infra/free-port';
import { loadConfig, requireMasterKeys } from '../../lib/config';
import { createDataConverter } from '../../lib/data-converter';
import { findTemporalCli } from '../../infra/temporal-cli';
import { startDevServer, type DevServer } from '../../infra/temporal-dev-server';
import { startMailSink, type MailSink } from '../../infra/mail-sink';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { bundleOnboardingWorkflows, QUIET_BUNDLER_LOGGER } from '../../worker/workflow-bundle';
import { BASELINE_SCHEMA } from '../baseline-activities';
import { startChild, type BenchChild } from './child';

const ROOT = path.join(__dirname, '..', '..');
export const PORTAL_CREDENTIALS = { username: 'bench', password: 'bench-password' };

/** One shared setup per run: ours and the baselines on the same dev server and the same PostgreSQL. */
export interface BenchEnv {
  dir: string;
  db: TestDatabase;
  devServer: DevServer;
  sqlitePragmas: string[];
  mail: MailSink;
  portal: PortalStub;
  /** Ours: every payload through the product's codec. */
  temporal: Client;
  /** The baselines are bare Temporal: no codec. */
  bareTemporal: Client;
  appEnv: NodeJS.ProcessEnv;
  baselineEnv: NodeJS.ProcessEnv;
  staff: { email: string; password: string };
  approver: { email: string; password: string };
  startApp(extra?: NodeJS.ProcessEnv): Promise<BenchChild>;
  startBaseline(extra?: NodeJS.ProcessEnv): Promise<BenchChild>;
  close(): Promise<void>;
}

export async function createBenchEnv(options: { sqlitePragmas: string[] }): Promise<BenchEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-bench-'));
  const db = await createTestDatabase();
  await db.pool.query(BASELINE_SCHEMA);
  const cliPath = await findTemporalCli({ projectRoot: ROOT });
  const devServer = await startDevServer({
    cliPath,
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.sqlite'),
    sqlitePragmas: options.sqlitePragmas,
  });
  const mail = await startMailSink();
  const portal = await startPortalStub(PORTAL_CREDENTIALS);

  const ours = await bundleOnboardingWorkflows();
  const baseline = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: QUIET_BUNDLER_LOGGER,
  });
  const oursBundle = path.join(dir, 'ours.js');
  const baselineBundle = path.join(dir, 'baseline.js');
  await writeFile(oursBundle, ours.code);
  await writeFile(baselineBundle, baseline.code);

  const common = { TEMPORAL_ADDRESS: devServer.address, DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
  const appEnv = {
    ...common,
    SMTP_URL: mail.url,
    GANGWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_TASK_QUEUE: 'bench-onboarding',
    BENCH_WORKFLOW_BUNDLE: oursBundle,
    CONNECTIVITY_RETRY_INITIAL: '200ms',
    // A full run outlasts the default 15 minutes of an access token.
    ACCESS_TOKEN_TTL: '12h',
    // One staff user starts every onboarding, and every collector post comes from 127.0.0.1.
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_STARTS: '1000000',
  };
  const baselineEnv = { ...common, BENCH_BASELINE_QUEUE: 'bench-baseline', BENCH_BASELINE_BUNDLE: baselineBundle };

  const password = randomBytes(12).toString('base64url');
  const staff = { email: 'staff@bench.example', password };
  const approver = { email: 'am@bench.example', password };
  await createUser(db.pool, { ...staff, role: 'staff' });
  await createUser(db.pool, { ...approver, role: 'approver', approverKind: 'AM' });
  const connection = await Connection.connect({ address: devServer.address });

  return {
    dir,
    db,
    devServer,
    sqlitePragmas: options.sqlitePragmas,
    mail,
    portal,
    // The app encrypts every payload; the drivers read results with the same data converter.
    temporal: new Client({ connection, dataConverter: createDataConverter(requireMasterKeys(loadConfig(appEnv))) }),
    bareTemporal: new Client({ connection }),
    appEnv,
    baselineEnv,
    staff,
    approver,
    // Each app process its own port: the scenarios run an API-only process beside a worker-only one.
    startApp: async (extra = {}) =>
      startChild('bench/processes/app.ts', { ...appEnv, PORT: String(await freePort()), ...extra }),
    startBaseline: (extra = {}) => startChild('bench/processes/baseline.ts', { ...baselineEnv, ...extra }),
    async close() {
      await connection.close();
      await portal.close();
      await mail.close();
      await devServer.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
