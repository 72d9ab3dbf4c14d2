import { execFile } from 'node:child_process';
import { access, constants, mkdir, stat } from 'node:fs/promises';
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

const EXE = process.platform === 'win32' ? '.exe' : '';

/** A regular file we may execute (access(X_OK) alone says yes to directories, and to anything for root on some systems). */
export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return false;
    if (process.platform !== 'win32' && (info.mode & 0o111) === 0) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable `name` in the directories of PATH (empty entries, meaning ".", are skipped). */
async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name + EXE);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** Project-local cache, ignored by git, shared by `npm start`, tests and CI. */
export const cachedCliPath = (projectRoot: string) => path.join(projectRoot, '.temporal', 'bin', `temporal${EXE}`);

/**
 * Finds (or builds) the Temporal CLI, in this order:
 *  1. TEMPORAL_CLI_PATH (an error if it is set but not an executable file; no silent fallback);
 *  2. `temporal` on PATH;
 *  3. the project cache, .temporal/bin/temporal;
 *  4. a build with the Go toolchain (`go` on PATH, or $GOROOT/bin/go) into that cache:
 *     `GOBIN=<cache> go install github.com/temporalio/cli/cmd/temporal@v1.5.1`, a few minutes once;
 *  otherwise an error saying how to provide one.
 *
 * There is deliberately no download step. @temporalio/testing can download a CLI
 * (TestWorkflowEnvironment.createLocal with a 'cached-download' executable), but where it puts the
 * file is not part of its API, it needs access to temporal.download, and it could not be exercised
 * where this was written; an untested path that claims to work is worse than a clear error.
 */
export async function findTemporalCli({
  projectRoot,
  env = process.env,
  log,
}: FindTemporalCliOptions): Promise<string> {
  if (env.TEMPORAL_CLI_PATH) {
    const given = path.resolve(env.TEMPORAL_CLI_PATH);
    if (await isExecutableFile(given)) return given;
    throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file; fix it or unset it`);
  }
  const fromPath = await onPath('temporal', env);
  if (fromPath) return fromPath;

  const cached = cachedCliPath(projectRoot);
  if (await isExecutableFile(cached)) return cached;

  const go = await findGo(env);
  if (go) {
    log?.info(
      { module: TEMPORAL_CLI_MODULE, into: path.dirname(cached) },
      'building the Temporal CLI with Go (first run only, a few minutes)',
    );
    await mkdir(path.dirname(cached), { recursive: true });
    try {
      await run(go, ['install', TEMPORAL_CLI_MODULE], {
        env: { ...env, GOBIN: path.dirname(cached) },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      const { stderr, message } = err as Error & { stderr?: string };
      throw new Error(
        `building the Temporal CLI failed (GOBIN=${path.dirname(cached)} ${go} install ${TEMPORAL_CLI_MODULE}): ${(stderr || message).trim()}`,
        { cause: err },
      );
    }
    if (await isExecutableFile(cached)) return cached;
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} succeeded but ${cached} is not there`);
  }
  throw new Error(
    'no Temporal CLI found: set TEMPORAL_CLI_PATH to a `temporal` executable, put `temporal` on PATH, ' +
      `or install Go (1.25 or newer) so that it can be built into ${cached} ` +
      `(GOBIN=${path.dirname(cached)} go install ${TEMPORAL_CLI_MODULE})`,
  );
}

async function findGo(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.GOROOT) {
    const go = path.join(env.GOROOT, 'bin', `go${EXE}`);
    if (await isExecutableFile(go)) return go;
  }
  return onPath('go', env);
}
