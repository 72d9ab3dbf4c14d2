import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../lib/logger';

const run = promisify(execFile);

/** v1.5.1 is the newest tag that `go install` accepts: later ones carry a replace directive. */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export interface FindTemporalCliOptions {
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  log?: Pick<Logger, 'info'>;
}

const isExecutable = (file: string) => access(file, constants.X_OK).then(() => true, () => false);

/** Project-local cache, ignored by git, shared by `npm start`, tests and CI. */
export const cachedCliPath = (projectRoot: string) => path.join(projectRoot, '.temporal', 'bin', 'temporal');

/**
 * Finds (or builds) the Temporal CLI, in this order: TEMPORAL_CLI_PATH; `temporal` on PATH; the
 * project cache; a build with the Go toolchain into the cache; last, the SDK's download (needs internet).
 */
export async function findTemporalCli({ projectRoot, env = process.env, log }: FindTemporalCliOptions): Promise<string> {
  if (env.TEMPORAL_CLI_PATH) {
    if (await isExecutable(env.TEMPORAL_CLI_PATH)) return env.TEMPORAL_CLI_PATH;
    throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (await isExecutable(candidate)) return candidate;
  }
  const cached = cachedCliPath(projectRoot);
  if (await isExecutable(cached)) return cached;

  const go = await run('go', ['version'], { env }).then(() => true, () => false);
  if (go) {
    log?.info({ module: TEMPORAL_CLI_MODULE }, 'building the Temporal CLI with Go (first run only, a few minutes)');
    await mkdir(path.dirname(cached), { recursive: true });
    await run('go', ['install', TEMPORAL_CLI_MODULE], {
      env: { ...env, GOBIN: path.dirname(cached), GOFLAGS: '-mod=mod' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (await isExecutable(cached)) return cached;
  }
  return downloadWithSdk(log);
}

/** @temporalio/testing knows how to fetch a released CLI; it needs the internet, so it comes last. */
async function downloadWithSdk(log?: Pick<Logger, 'info'>): Promise<string> {
  log?.info('no Temporal CLI and no Go toolchain: trying the SDK download');
  // Loaded lazily: a dev dependency, absent in a production install.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal();
  await env.teardown();
  throw new Error('the SDK download worked but does not leave a reusable binary; set TEMPORAL_CLI_PATH');
}
