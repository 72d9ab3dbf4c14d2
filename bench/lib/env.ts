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
import { createPayloadCodec } from '../../lib/payload-codec';
import { temporalConnectionFromEnv } from '../../lib/temporal-env';
import { startMailSink, type MailSink } from '../../infra/mail-sink';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { bundleOnboardingWorkflows, QUIET_BUNDLER_LOGGER } from '../../worker/workflow-bundle';
import { BASELINE_SCHEMA } from '../baseline-activities';
import { startChild, type BenchChild } from './child';
import { runB4, runBaseline, runOurs, type Baseline, type OursContext } from './drivers';
import {
  startTemporalServer,
  type SearchAttributeCache,
  type TemporalChoice,
  type TemporalServer,
} from './temporal-server';

export const PORTAL_CREDENTIALS = { username: 'bench', password: 'bench-password' };

/** One shared setup per run: ours and the baselines on the same Temporal server and the same PostgreSQL. */
export interface BenchEnv {
  dir: string;
  db: TestDatabase;
  /** The dev server, or the real server (`--temporal cluster`). */
  server: TemporalServer;
  /** The dev server's SQLite pragmas (none on the real server). */
  sqlitePragmas: string[];
  /** The product's database (and the baselines' tables), by name, for reading its backends' CPU. */
  dbName: string;
  mail: MailSink;
  portal: PortalStub;
  /** Ours: every payload through the product's codec. */
  temporal: Client;
  /** The baselines are bare Temporal: no codec. */
  bareTemporal: Client;
  /** B2's client: the app's payload codec, nothing else. */
  codecTemporal: Client;
  appEnv: NodeJS.ProcessEnv;
  baselineEnv: NodeJS.ProcessEnv;
  staff: { email: string; password: string };
  approver: { email: string; password: string };
  startApp(extra?: NodeJS.ProcessEnv): Promise<BenchChild>;
  startBaseline(extra?: NodeJS.ProcessEnv): Promise<BenchChild>;
  close(): Promise<void>;
}

/** A baseline process with B0/B1's worker alone: no endpoints, no B2 worker (cold start, parked, scale-out). */
export const BASELINE_WORKER_ONLY = { BENCH_NO_API: '1', BENCH_BASELINE_CODEC_QUEUE: '' };

/** Where a baseline runs: B2 and B3 on the worker with the payload codec, through a client with the same codec. */
export function baselineTarget(env: BenchEnv, baseline: Baseline): { temporal: Client; taskQueue: string } {
  return baseline === 'B2' || baseline === 'B3'
    ? { temporal: env.codecTemporal, taskQueue: env.baselineEnv.BENCH_BASELINE_CODEC_QUEUE! }
    : { temporal: env.bareTemporal, taskQueue: env.baselineEnv.BENCH_BASELINE_QUEUE! };
}

/** What scenarios 1 and 8 compare: ours, the baselines driven through the Temporal client, and B4 over HTTP. */
export type Variant = Baseline | 'B4' | 'ours';

/** One onboarding of a variant, start to COMPLETED, by its driver (bench/lib/drivers.ts). */
export function runVariant(env: BenchEnv, ctx: OursContext, baseline: BenchChild, variant: Variant) {
  if (variant === 'ours') return runOurs(ctx);
  if (variant === 'B4') return runB4(baseline.apiUrl!);
  return runBaseline(baselineTarget(env, variant), variant);
}

export async function createBenchEnv(
  options: { sqlitePragmas: string[]; searchAttributeCache?: SearchAttributeCache } | { temporal: TemporalChoice },
): Promise<BenchEnv> {
  const choice: TemporalChoice = 'temporal' in options ? options.temporal : { kind: 'dev', ...options };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gangway-bench-'));
  const db = await createTestDatabase();
  await db.pool.query(BASELINE_SCHEMA);
  const server = await startTemporalServer(choice, dir);
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

  // Every client of the server, the bench's own included, reaches it with the same TEMPORAL_* settings
  // (over mTLS on the real server), read as the product reads them (lib/temporal-connection.ts).
  const common = { ...server.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
  const appEnv = {
    ...common,
    SMTP_URL: mail.url,
    GANGWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    TEMPORAL_TASK_QUEUE: 'bench-onboarding',
    BENCH_WORKFLOW_BUNDLE: oursBundle,
    CONNECTIVITY_RETRY_INITIAL: '200ms',
    // A full run outlasts the default 15 minutes of an access token.
    ACCESS_TOKEN_TTL: '12h',
    // The portal stub listens on loopback, which egress may otherwise never reach.
    EGRESS_ALLOWED_HOSTS: '127.0.0.1,localhost',
    // One staff user starts every onboarding, and every collector post comes from 127.0.0.1.
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_STARTS: '1000000',
  };
  const baselineEnv = {
    ...common,
    BENCH_BASELINE_QUEUE: 'bench-baseline',
    BENCH_BASELINE_CODEC_QUEUE: 'bench-baseline-codec',
    BENCH_BASELINE_BUNDLE: baselineBundle,
    // B2 encrypts with the app's key, so that its codec does exactly the app's work per payload.
    GANGWAY_MASTER_KEY: appEnv.GANGWAY_MASTER_KEY,
    // B3 mails to the same sink and logs in to the same portal as ours.
    SMTP_URL: mail.url,
    BENCH_PORTAL_URL: portal.url,
    BENCH_PORTAL_CREDENTIALS: JSON.stringify(PORTAL_CREDENTIALS),
  };

  const password = randomBytes(12).toString('base64url');
  const staff = { email: 'staff@bench.example', password };
  const approver = { email: 'am@bench.example', password };
  await createUser(db.pool, { ...staff, role: 'staff' });
  await createUser(db.pool, { ...approver, role: 'approver', approverKind: 'AM' });
  const settings = temporalConnectionFromEnv(server.env);
  const connection = await Connection.connect(settings.options);
  const namespace = settings.namespace ?? 'default';

  return {
    dir,
    db,
    server,
    sqlitePragmas: choice.kind === 'dev' ? choice.sqlitePragmas : [],
    dbName: new URL(db.url).pathname.slice(1),
    mail,
    portal,
    // The app encrypts every payload; the drivers read results with the same data converter.
    temporal: new Client({
      connection,
      namespace,
      dataConverter: createDataConverter(requireMasterKeys(loadConfig(appEnv))),
    }),
    bareTemporal: new Client({ connection, namespace }),
    codecTemporal: new Client({
      connection,
      namespace,
      dataConverter: { payloadCodecs: [createPayloadCodec(requireMasterKeys(loadConfig(appEnv)))] },
    }),
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
      await server.stop();
      await db.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
