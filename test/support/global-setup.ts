import path from 'node:path';
import { findTemporalCli } from '../../infra/temporal-cli';
import { startDevServer, type DevServer } from '../../infra/temporal-dev-server';
import { freePort } from '../../infra/free-port';
import { BUNDLE_ENV, buildTestWorkflowBundle } from './workflow-bundle';

/** One in-memory Temporal dev server for the whole run; each test file brings its own worker and task queue. */
export default async function globalSetup(): Promise<void> {
  process.env[BUNDLE_ENV] ??= await buildTestWorkflowBundle();
  if (process.env.TEMPORAL_ADDRESS) return;
  const cliPath = await findTemporalCli({ projectRoot: path.join(__dirname, '..', '..') });
  const server = await startDevServer({ cliPath, port: await freePort() });
  (globalThis as { __temporalDevServer?: DevServer }).__temporalDevServer = server;
  process.env.TEMPORAL_ADDRESS = server.address;
}
