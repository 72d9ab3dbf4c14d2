import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { clearClusterMembership, existingDatabases } from '../db/admin';
import type { Logger } from '../lib/logger';
import { isAlive, processInfo, readJson, terminate } from './processes';
import { findTemporalCli, isExecutableFile } from './temporal-cli';

/**
 * A real Temporal server on this machine, as opposed to the CLI's dev server: the
 * `go.temporal.io/server` binary at the CLI's server version, on PostgreSQL (its own two databases),
 * with several history shards, the four services in one process, and the frontend on mutual TLS
 * with a CA and certificates generated here. Optionally the Temporal UI (ui-server, whose Go module
 * embeds the built UI) in front of it, over the same mTLS.
 *
 * Binaries are built once per machine with `go install` (no downloads of prebuilt binaries) into
 * `${XDG_CACHE_HOME:-~/.cache}/gangway/temporal-server-<version>/` and `.../temporal-ui-server-<version>/`,
 * under a lock shared with .ci/run (`ensure_temporal_server`). State (config, certificates, logs,
 * pid record) lives in `.data/cluster/` by default. docs/cluster.md is the user's guide.
 */

const run = promisify(execFile);

/** The server version the Temporal CLI (infra/temporal-cli.ts, v1.5.1) embeds in its dev server. */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
/** The UI server the same CLI release pairs with that server; its module carries the built UI (ui/assets). */
export const TEMPORAL_UI_SERVER_VERSION = 'v2.42.1';
export const TEMPORAL_UI_SERVER_MODULE = 'github.com/temporalio/ui-server/v2';

/** Fixed so that a newcomer's client settings do not change between runs; tests ask for free ports. */
export const DEFAULT_PORTS: ClusterPorts = {
  frontend: 7433,
  frontendMembership: 6433,
  history: 7434,
  historyMembership: 6434,
  matching: 7435,
  matchingMembership: 6435,
  worker: 7439,
  workerMembership: 6439,
  internalFrontend: 7436,
  internalFrontendMembership: 6436,
  ui: 8433,
};

export const DEFAULT_DATABASES = { default: 'gangway_temporal', visibility: 'gangway_temporal_visibility' };
/** Persisted in the database on first start: a server with another count refuses to start on it. */
export const NUM_HISTORY_SHARDS = 4;
export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';
/**
 * The search attributes every onboarding workflow carries (docs/contract.md). A real server knows
 * none until they are registered in the namespace. SQL visibility maps each to one of its pre-made
 * columns (ten of each type per namespace).
 */
export const GANGWAY_SEARCH_ATTRIBUTES: Record<string, SearchAttributeType> = {
  OnboardingStatus: 'Keyword',
  PartnerProvidedId: 'Keyword',
  CurrentStep: 'Keyword',
};
/** The name the generated server certificate is valid for (with 127.0.0.1). */
export const TLS_SERVER_NAME = 'localhost';

export interface ClusterPorts {
  frontend: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  /** The internal frontend, which the server's own system worker uses; only with `authorization`. */
  internalFrontend: number;
  internalFrontendMembership: number;
  ui: number;
}

type Log = Pick<Logger, 'info' | 'warn'>;

const EXE = process.platform === 'win32' ? '.exe' : '';
const STOP_GRACE_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const withoutPrefix = (env: NodeJS.ProcessEnv, prefix: string): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith(prefix)));

/** One line, bounded: what the errors of this module carry from a tool's output. */
function oneLine(text: string, max = 600): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `…${flat.slice(-max)}` : flat;
}

/** The machine-wide cache shared with .ci/run: `${XDG_CACHE_HOME:-~/.cache}/gangway`. */
export function machineCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'gangway');
}

export const serverCacheDir = (env: NodeJS.ProcessEnv = process.env) =>
  path.join(machineCacheDir(env), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
export const uiCacheDir = (env: NodeJS.ProcessEnv = process.env) =>
  path.join(machineCacheDir(env), `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`);

/** `go` from $GOROOT, PATH, or the usual /usr/local/go (the same places .ci/run looks). */
export async function findGo(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = [
    ...(env.GOROOT ? [path.join(env.GOROOT, 'bin', `go${EXE}`)] : []),
    ...(env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.join(dir, `go${EXE}`)),
    `/usr/local/go/bin/go${EXE}`,
  ];
  for (const candidate of candidates) if (await isExecutableFile(candidate)) return candidate;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Binaries

export interface BuildRecord {
  /** Seconds each `go install` took, by binary name, on the build that produced the cache. */
  seconds: Record<string, number>;
  go: string;
  builtAt: string;
}

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  /** Schema directories of the server module, `<GOMODCACHE>/go.temporal.io/server@<v>/schema/postgresql/v12/…/versioned`. */
  schema: { temporal: string; visibility: string };
  /** The UI server, when asked for and it could be built. */
  ui?: string;
  /** Why there is no UI, when one was asked for. */
  uiError?: string;
  /** How long the build took (this run's, or the one recorded in the cache). */
  serverBuild?: BuildRecord;
  uiBuild?: BuildRecord;
}

export interface EnsureBinariesOptions {
  env?: NodeJS.ProcessEnv;
  log?: Log;
  /** Also the UI server (default true). Its failure is reported in uiError, not thrown. */
  ui?: boolean;
  /** For each build, lock wait included (default 20 minutes). */
  buildTimeoutMs?: number;
}

/**
 * The server and schema tool (and the UI server), built once per machine:
 *   GOBIN=<cache>/temporal-server-v1.29.1 go install go.temporal.io/server/cmd/server@v1.29.1
 *   GOBIN=<cache>/temporal-server-v1.29.1 go install go.temporal.io/server/cmd/tools/sql@v1.29.1
 *   GOBIN=<cache>/temporal-ui-server-v2.42.1 go install github.com/temporalio/ui-server/v2/cmd/server@v2.42.1
 * A lock file beside each directory (`flock`, the same one .ci/run takes) makes concurrent callers
 * build once. No Go and nothing cached is an error that says what to install.
 */
export async function ensureClusterBinaries(options: EnsureBinariesOptions = {}): Promise<ClusterBinaries> {
  const env = options.env ?? process.env;
  const log = options.log;
  const timeoutMs = options.buildTimeoutMs ?? 20 * 60_000;
  const serverDir = serverCacheDir(env);
  const server = path.join(serverDir, `server${EXE}`);
  const sqlTool = path.join(serverDir, `sql${EXE}`);

  let go: string | undefined;
  const needGo = async (what: string) => {
    go ??= await findGo(env);
    if (!go) {
      throw new Error(
        `${what} needs the Go toolchain (1.24 or newer), which was not found on PATH, in $GOROOT or in /usr/local/go; ` +
          'install Go (or run .ci/run, which provides one) and try again',
      );
    }
    return go;
  };

  if (!(await isExecutableFile(server)) || !(await isExecutableFile(sqlTool))) {
    const goPath = await needGo(`building the Temporal server ${TEMPORAL_SERVER_VERSION}`);
    log?.info(
      { into: serverDir },
      `building the Temporal server ${TEMPORAL_SERVER_VERSION} with Go (first time on this machine, a few minutes)`,
    );
    await buildLocked(
      goPath,
      serverDir,
      [
        { name: 'server', module: `${TEMPORAL_SERVER_MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}` },
        { name: 'sql', module: `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}` },
      ],
      env,
      timeoutMs,
      log,
    );
  }
  const binaries: ClusterBinaries = {
    server,
    sqlTool,
    schema: await serverSchemaDirs(env, () => needGo('finding the Temporal server schema')),
    serverBuild: await readJson<BuildRecord>(path.join(serverDir, 'build.json')),
  };

  if (options.ui ?? true) {
    const uiDir = uiCacheDir(env);
    const ui = path.join(uiDir, `server${EXE}`);
    try {
      if (!(await isExecutableFile(ui))) {
        const goPath = await needGo(`building the Temporal UI server ${TEMPORAL_UI_SERVER_VERSION}`);
        log?.info(
          { into: uiDir },
          `building the Temporal UI server ${TEMPORAL_UI_SERVER_VERSION} with Go (first time on this machine)`,
        );
        await buildLocked(
          goPath,
          uiDir,
          [{ name: 'server', module: `${TEMPORAL_UI_SERVER_MODULE}/cmd/server@${TEMPORAL_UI_SERVER_VERSION}` }],
          env,
          timeoutMs,
          log,
        );
      }
      binaries.ui = ui;
      binaries.uiBuild = await readJson<BuildRecord>(path.join(uiDir, 'build.json'));
    } catch (err) {
      binaries.uiError = (err as Error).message;
      log?.warn({ err: { message: binaries.uiError } }, 'no Temporal UI');
    }
  }
  return binaries;
}

/**
 * Runs the `go install`s in a bash that holds `flock` on `<dir>.lock` (when flock exists), skipping
 * any binary that is already there once the lock is held: whoever waited finds the others' build.
 * The build runs in its own process group, killed on timeout or when this process exits.
 */
async function buildLocked(
  go: string,
  dir: string,
  targets: { name: string; module: string }[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  log: Log | undefined,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const script = [
    'set -eu',
    'lock=$1; dir=$2; shift 2',
    'exec 9>"$lock"',
    'if command -v flock >/dev/null; then flock 9; fi',
    'for target in "$@"; do',
    '  name=${target%%=*}; module=${target#*=}',
    '  if [ ! -x "$dir/$name" ]; then',
    '    start=$SECONDS',
    '    GOBIN="$dir" "$GO" install "$module"',
    '    echo "built $name $((SECONDS - start))"',
    '  fi',
    'done',
  ].join('\n');
  const args = ['-c', script, 'build', `${dir}.lock`, dir, ...targets.map((t) => `${t.name}=${t.module}`)];
  const started = Date.now();
  const child = spawn('bash', args, { env: { ...env, GO: go }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8_000)));
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  process.once('exit', killGroup);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  const result = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  clearTimeout(timer);
  process.removeListener('exit', killGroup);
  const command = targets.map((t) => `GOBIN=${dir} go install ${t.module}`).join(' && ');
  if (timedOut) throw new Error(`building timed out after ${Math.round(timeoutMs / 1000)}s (${command})`);
  if (result.error) throw new Error(`cannot run bash for the build (${command}): ${result.error.message}`);
  if (result.code !== 0) throw new Error(`build failed (${command}): ${oneLine(stderr)}`);

  const seconds: Record<string, number> = {};
  for (const match of stdout.matchAll(/^built (\S+) (\d+)$/gm)) seconds[match[1]] = Number(match[2]);
  if (Object.keys(seconds).length) {
    const goVersion = (await run(go, ['version']).catch(() => ({ stdout: 'unknown' }))).stdout.trim();
    const record: BuildRecord = { seconds, go: goVersion, builtAt: new Date().toISOString() };
    const previous = await readJson<BuildRecord>(path.join(dir, 'build.json'));
    if (previous) record.seconds = { ...previous.seconds, ...seconds };
    await writeFile(path.join(dir, 'build.json'), JSON.stringify(record, null, 2));
    log?.info(
      { seconds, wallSeconds: Math.round((Date.now() - started) / 1000) },
      `built ${targets.map((t) => t.module).join(', ')}`,
    );
  }
  for (const target of targets) {
    if (!(await isExecutableFile(path.join(dir, target.name + EXE))))
      throw new Error(`${command} succeeded but ${path.join(dir, target.name)} is not there`);
  }
}

/**
 * The versioned schema directories inside the server module in the Go module cache (where
 * `go install` left it). When the module cache was cleaned since, `go mod download` brings it back.
 */
async function serverSchemaDirs(env: NodeJS.ProcessEnv, go: () => Promise<string>): Promise<ClusterBinaries['schema']> {
  const modCache =
    env.GOMODCACHE ||
    path.join(
      (env.GOPATH ?? '').split(path.delimiter).find(Boolean) || path.join(env.HOME || os.homedir(), 'go'),
      'pkg',
      'mod',
    );
  const at = (root: string) => {
    const base = path.join(root, `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
    return {
      temporal: path.join(base, 'temporal', 'versioned'),
      visibility: path.join(base, 'visibility', 'versioned'),
    };
  };
  const exists = (dirs: ClusterBinaries['schema']) =>
    Promise.all([stat(dirs.temporal), stat(dirs.visibility)]).then(
      () => true,
      () => false,
    );
  if (await exists(at(modCache))) return at(modCache);
  // Not where the environment says: ask go itself (it may have a go.env setting), then download.
  const goPath = await go();
  const module = `${TEMPORAL_SERVER_MODULE}@${TEMPORAL_SERVER_VERSION}`;
  try {
    const { stdout } = await run(goPath, ['mod', 'download', '-json', module], {
      env,
      cwd: os.tmpdir(),
      maxBuffer: 16 * 1024 * 1024,
    });
    const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (dir) {
      const dirs = at(path.resolve(dir, '..', '..'));
      if (await exists(dirs)) return dirs;
    }
  } catch (err) {
    throw new Error(
      `cannot find the Temporal server schema (go mod download ${module}): ${oneLine((err as { stderr?: string }).stderr || (err as Error).message)}`,
      { cause: err },
    );
  }
  throw new Error(`the Temporal server module ${module} has no schema/postgresql/v12 in the Go module cache`);
}

// ---------------------------------------------------------------------------------------------
// Certificates

export interface ClusterCertificates {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** An unrelated CA and a client certificate it signed: the server must refuse it. */
  wrongCaCert: string;
  wrongClientCert: string;
  wrongClientKey: string;
}

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = gangway
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
# clientAuth too: the services present this certificate to each other (internode mTLS).
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

export function certificatePaths(dir: string): ClusterCertificates {
  const at = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    wrongCaCert: at('wrong-ca.pem'),
    wrongClientCert: at('wrong-client.pem'),
    wrongClientKey: at('wrong-client.key'),
  };
}

/**
 * A CA, a server certificate (localhost, 127.0.0.1) and a client certificate, plus an unrelated
 * "wrong" CA with a client certificate of its own, as ECDSA P-256 keys (PKCS#8) made with openssl.
 * Kept while every file is there and no certificate expires within a day; otherwise all are made anew.
 */
export async function ensureCertificates(dir: string, log?: Log): Promise<ClusterCertificates> {
  const paths = certificatePaths(dir);
  const certs = [paths.caCert, paths.serverCert, paths.clientCert, paths.wrongCaCert, paths.wrongClientCert];
  const keys = [paths.serverKey, paths.clientKey, paths.wrongClientKey];
  const valid = async () => {
    for (const file of [...certs, ...keys]) if (!(await stat(file).catch(() => undefined))) return false;
    for (const cert of certs) {
      try {
        await openssl(['x509', '-noout', '-checkend', '86400', '-in', cert]);
      } catch {
        return false;
      }
    }
    return true;
  };
  if (await valid()) return paths;

  log?.info({ dir }, 'generating a CA and certificates for the Temporal cluster');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const config = path.join(dir, 'openssl.cnf');
  await writeFile(config, OPENSSL_CONFIG);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = async (name: string, cn: string) => {
    await openssl([
      'req',
      '-x509',
      '-new',
      '-config',
      config,
      '-extensions',
      'ca_ext',
      ...newKey,
      '-keyout',
      path.join(dir, `${name}.key`),
      '-out',
      path.join(dir, `${name}.pem`),
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}`,
    ]);
  };
  const makeLeaf = async (name: string, ca: string, cn: string, extensions: string) => {
    const csr = path.join(dir, `${name}.csr`);
    await openssl([
      'req',
      '-new',
      '-config',
      config,
      ...newKey,
      '-keyout',
      path.join(dir, `${name}.key`),
      '-out',
      csr,
      '-subj',
      `/CN=${cn}`,
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      path.join(dir, `${ca}.pem`),
      '-CAkey',
      path.join(dir, `${ca}.key`),
      '-set_serial',
      `0x${randomBytes(12).toString('hex')}`,
      '-days',
      '825',
      '-extfile',
      config,
      '-extensions',
      extensions,
      '-out',
      path.join(dir, `${name}.pem`),
    ]);
    await rm(csr, { force: true });
  };
  await makeCa('ca', 'gangway local Temporal CA');
  await makeLeaf('server', 'ca', 'localhost', 'server_ext');
  await makeLeaf('client', 'ca', 'gangway-client', 'client_ext');
  await makeCa('wrong-ca', 'gangway unrelated CA');
  await makeLeaf('wrong-client', 'wrong-ca', 'gangway-intruder', 'client_ext');
  for (const key of ['ca.key', 'server.key', 'client.key', 'wrong-ca.key', 'wrong-client.key'])
    await chmod(path.join(dir, key), 0o600);
  return paths;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const { code, stderr, message } = err as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT')
      throw new Error(
        'openssl is not installed (Debian: apt-get install -y openssl); it makes the cluster certificates',
        { cause: err },
      );
    throw new Error(`openssl ${args.slice(0, 2).join(' ')} failed: ${oneLine(stderr || message)}`, { cause: err });
  }
}

// ---------------------------------------------------------------------------------------------
// Databases

export interface DatabaseTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** postgres://user[:password]@host:port/... → where the server and the schema tool connect. */
export function databaseTarget(adminUrl: string): DatabaseTarget {
  const url = new URL(adminUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username || 'postgres'),
    password: decodeURIComponent(url.password),
  };
}

export const DEFAULT_DATABASE_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface EnsureDatabasesOptions {
  sqlTool: string;
  schema: ClusterBinaries['schema'];
  /** An administrator's connection (it creates databases). Default postgres://postgres@127.0.0.1:5432/postgres. */
  adminUrl?: string;
  databases?: { default: string; visibility: string };
  log?: Log;
}

/**
 * The server's two databases, made and brought to the module's latest schema with its own tool:
 * `create-database` (only when missing), `setup-schema -v 0.0` (a no-op once versioned),
 * `update-schema -d <versioned dir>` (a no-op at the latest version). Safe to run on every start.
 */
export async function ensureDatabases(options: EnsureDatabasesOptions): Promise<void> {
  const adminUrl = options.adminUrl ?? DEFAULT_DATABASE_ADMIN_URL;
  const target = databaseTarget(adminUrl);
  const names = options.databases ?? DEFAULT_DATABASES;
  const existing = await withPg(adminUrl, (pg) => existingDatabases(pg, [names.default, names.visibility]));
  for (const [name, schemaDir] of [
    [names.default, options.schema.temporal],
    [names.visibility, options.schema.visibility],
  ] as const) {
    const tool = (...command: string[]) => sqlTool(options.sqlTool, target, name, command);
    if (!existing.has(name)) {
      options.log?.info({ database: name }, 'creating a Temporal database');
      await tool('create-database');
    }
    await tool('setup-schema', '-v', '0.0');
    await tool('update-schema', '-d', schemaDir);
  }
}

async function sqlTool(sqlTool: string, target: DatabaseTarget, database: string, command: string[]): Promise<void> {
  const args = [
    '--plugin',
    'postgres12',
    '--endpoint',
    target.host,
    '--port',
    String(target.port),
    '--user',
    target.user,
    '--database',
    database,
    ...command,
  ];
  // The password goes by environment (SQL_PASSWORD), not on a command line that `ps` shows.
  // Only what is given here: the tool also reads SQL_* settings (TLS, connect attributes) from the environment.
  const env = { ...withoutPrefix(process.env, 'SQL_'), SQL_PASSWORD: target.password };
  try {
    await run(sqlTool, args, { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const { stderr, stdout, message } = err as Error & { stderr?: string; stdout?: string };
    const lines = `${stderr ?? ''}\n${stdout ?? ''}`.split('\n').filter((line) => /error|fatal|fail/i.test(line));
    throw new Error(
      `temporal sql tool ${command[0]} on ${database} failed: ${oneLine(lines.slice(-3).join(' ') || message)}`,
      { cause: err },
    );
  }
}

async function withPg<T>(url: string, fn: (conn: PgClient) => Promise<T>): Promise<T> {
  const conn = new PgClient({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await conn.connect();
  } catch (err) {
    throw new Error(
      `cannot connect to PostgreSQL at ${new URL(url).host} for the Temporal cluster: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/**
 * Membership rows of an earlier incarnation (a killed run) make the new process try to join hosts
 * that are gone; only one process ever serves these databases (the pid record guards that), so the
 * table is emptied before a start.
 */
async function clearMembership(adminUrl: string, database: string): Promise<void> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await withPg(url.toString(), clearClusterMembership);
}

// ---------------------------------------------------------------------------------------------
// Configuration

const yamlString = (value: string) => JSON.stringify(value);

function serverConfig(o: {
  ports: ClusterPorts;
  certs: ClusterCertificates;
  db: DatabaseTarget;
  databases: { default: string; visibility: string };
  dynamicConfigFile: string;
  logLevel: string;
  authorization?: ClusterAuthorization;
}): string {
  const { ports, certs, db } = o;
  const datastore = (database: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: ${yamlString(database)}
        connectAddr: ${yamlString(`${db.host}:${db.port}`)}
        connectProtocol: "tcp"
        user: ${yamlString(db.user)}
        password: ${yamlString(db.password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number) => `    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnIP: "127.0.0.1"`;
  const clientTls = `        serverName: ${yamlString(TLS_SERVER_NAME)}
        rootCaFiles:
          - ${yamlString(certs.caCert)}`;
  const serverTls = `        certFile: ${yamlString(certs.serverCert)}
        keyFile: ${yamlString(certs.serverKey)}
        requireClientAuth: true
        clientCaFiles:
          - ${yamlString(certs.caCert)}`;
  return `# Written by infra/temporal-cluster.ts on every start; edits are overwritten.
log:
  stdout: true
  level: ${yamlString(o.logLevel)}

# Each service opens its own pools: with 10 + 2 per service the server stays near 25 of the local
# PostgreSQL's 100 connections, leaving room for the processes under test beside it.
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${NUM_HISTORY_SHARDS}
  datastores:
    default:
${datastore(o.databases.default, 10)}
    visibility:
${datastore(o.databases.visibility, 2)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  tls:
    # The services among themselves: mTLS with the server certificate on both ends.
    internode:
      server:
${serverTls}
      client:
${clientTls}
    # Clients of the frontend (SDKs, the CLI, the UI) must present a certificate the CA signed.
    frontend:
      server:
${serverTls}
      client:
${clientTls}
    # The internal worker service (system workflows) connects to the frontend as a client.
    systemWorker:
      certFile: ${yamlString(certs.clientCert)}
      keyFile: ${yamlString(certs.clientKey)}
      client:
${clientTls}
${
  o.authorization
    ? `  # Every call to the frontend needs a JWT (authorization: Bearer …) signed by a key of the JWKS.
  authorization:
    jwtKeyProvider:
      keySourceURIs:
        - ${yamlString(o.authorization.jwksUrl)}
      refreshInterval: 1m
    permissionsClaimName: permissions
    authorizer: default
    claimMapper: default
`
    : ''
}
services:
  frontend:
${service(ports.frontend, ports.frontendMembership)}
${
  o.authorization
    ? `  # The system worker's way in, without a token: internode mTLS, no claim mapper (all services in this process).
  internal-frontend:
${service(ports.internalFrontend, ports.internalFrontendMembership)}
`
    : ''
}  history:
${service(ports.history, ports.historyMembership)}
  matching:
${service(ports.matching, ports.matchingMembership)}
  worker:
${service(ports.worker, ports.workerMembership)}

clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: ${yamlString(`127.0.0.1:${ports.frontend}`)}

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: ${yamlString(o.dynamicConfigFile)}
  pollInterval: "10s"
`;
}

/**
 * Server 1.29 enables Workflow Update (frontend.enableUpdateWorkflowExecution and …AsyncAccepted)
 * by default; they are written anyway, so that this file says what the product relies on.
 */
const DYNAMIC_CONFIG = `# Written by infra/temporal-cluster.ts on every start; edits are overwritten.
frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableUpdateWorkflowExecutionAsyncAccepted:
  - value: true
frontend.enableExecuteMultiOperation:
  - value: true
# Tests register search attributes and use them at once.
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
# A namespace registered at start is usable within a second or two, not after the default 10s.
system.namespaceCacheRefreshInterval:
  - value: 1s
limit.maxIDLength:
  - value: 255
`;

function uiConfig(o: { ports: ClusterPorts; certs: ClusterCertificates; namespace: string }): string {
  return `# Written by infra/temporal-cluster.ts on every start; edits are overwritten.
temporalGrpcAddress: ${yamlString(`127.0.0.1:${o.ports.frontend}`)}
host: "127.0.0.1"
port: ${o.ports.ui}
enableUi: true
defaultNamespace: ${yamlString(o.namespace)}
notifyOnNewVersion: false
refreshInterval: 1m
cors:
  cookieInsecure: true
  allowOrigins:
    - ${yamlString(`http://127.0.0.1:${o.ports.ui}`)}
    - ${yamlString(`http://localhost:${o.ports.ui}`)}
tls:
  caFile: ${yamlString(o.certs.caCert)}
  certFile: ${yamlString(o.certs.clientCert)}
  keyFile: ${yamlString(o.certs.clientKey)}
  serverName: ${yamlString(TLS_SERVER_NAME)}
  enableHostVerification: true
`;
}

// ---------------------------------------------------------------------------------------------
// Start and stop

export interface ClusterOptions {
  projectRoot: string;
  /** Config, certificates, logs and the pid record. Default `<projectRoot>/.data/cluster`. */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: Log;
  /** DEFAULT_PORTS, some of them replaced, or 'free' for ports the kernel picks (tests). */
  ports?: Partial<ClusterPorts> | 'free';
  /** Default DEFAULT_DATABASE_ADMIN_URL. */
  databaseAdminUrl?: string;
  databases?: { default: string; visibility: string };
  namespace?: string;
  /** Custom search attributes registered in the namespace (missing ones only). Default GANGWAY_SEARCH_ATTRIBUTES. */
  searchAttributes?: Record<string, SearchAttributeType>;
  /** Also the Temporal UI (default true); without one it is reported, not fatal. */
  ui?: boolean;
  /** The server's log level (its log goes to `<stateDir>/temporal-server.log`). Default 'warn'. */
  logLevel?: string;
  /** From spawning the server to a usable namespace (default 90s). */
  readyTimeoutMs?: number;
  /** For the first-time build (default 20 minutes). */
  buildTimeoutMs?: number;
  /**
   * The frontend also authorizes every call by a JWT (besides the client certificate), checked
   * against an identity provider's JWKS; see ClusterAuthorization. Off by default.
   */
  authorization?: ClusterAuthorization;
}

/**
 * The server's `global.authorization` with its default JWT claim mapper and authorizer: a call
 * carries `authorization: Bearer <JWT>` (what TEMPORAL_API_KEY sends), signed (RS256/ES256, with a
 * `kid`) by a key in the JWKS at jwksUrl, with `permissions` like `["temporal-system:admin"]` or
 * `["default:writer"]`. The server's system worker goes through an internal frontend (extra ports
 * internalFrontend and internalFrontendMembership) that takes no token. Without a UI: it would need
 * an OIDC login of its own.
 */
export interface ClusterAuthorization {
  /** Where the server fetches the signing keys (refreshed every minute). */
  jwksUrl: string;
  /**
   * A token with `temporal-system:admin` for startCluster's own calls (namespace and search
   * attributes, readiness); it must stay valid until startCluster resolves. Also the cluster's
   * TEMPORAL_API_KEY in Cluster.env and cluster.env.
   */
  token: string;
}

export interface ClusterTls {
  serverName: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

export interface Cluster {
  address: string;
  namespace: string;
  tls: ClusterTls;
  certificates: ClusterCertificates;
  /** The variables a client (`npx gangway api|worker|migrate`, the CLI, tests) needs. */
  env: Record<string, string>;
  /** The token of ClusterOptions.authorization, when given. */
  apiKey?: string;
  ports: ClusterPorts;
  uiUrl?: string;
  uiError?: string;
  stateDir: string;
  logFile: string;
  /** Milliseconds from spawning the server to a usable namespace. */
  startMs: number;
  binaries: ClusterBinaries;
  process: ChildProcess;
  /** Ends the UI and the server (SIGTERM, SIGKILL after 15s) and removes the pid record; safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when the server exits, for whatever reason. */
  exited: Promise<string>;
}

interface PidRecord {
  serverPid?: number;
  uiPid?: number;
  ownerPid: number;
  stateDir: string;
}

export const defaultStateDir = (projectRoot: string) => path.join(projectRoot, '.data', 'cluster');
const pidFileOf = (stateDir: string) => path.join(stateDir, 'cluster.pid.json');
export const envFileOf = (stateDir: string) => path.join(stateDir, 'cluster.env');

/** The TEMPORAL_* variables for a client of this cluster (names fixed by the product's config contract). */
export function clusterClientEnv(
  address: string,
  namespace: string,
  tls: ClusterTls,
  apiKey?: string,
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TLS_CLIENT_CERT_PATH: tls.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: tls.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.caCert,
    TEMPORAL_TLS_SERVER_NAME: tls.serverName,
    ...(apiKey ? { TEMPORAL_API_KEY: apiKey } : {}),
  };
}

/** Connection options for @temporalio/client with the cluster's client certificate (and its token, if any). */
export async function clusterConnectionOptions(cluster: Pick<Cluster, 'address' | 'tls' | 'apiKey'>) {
  return {
    address: cluster.address,
    tls: {
      serverNameOverride: cluster.tls.serverName,
      serverRootCACertificate: await readFile(cluster.tls.caCert),
      clientCertPair: { crt: await readFile(cluster.tls.clientCert), key: await readFile(cluster.tls.clientKey) },
    },
    ...(cluster.apiKey ? { apiKey: cluster.apiKey } : {}),
  };
}

async function resolvePorts(ports: ClusterOptions['ports']): Promise<ClusterPorts> {
  if (ports !== 'free') return { ...DEFAULT_PORTS, ...ports };
  const picked = {} as ClusterPorts;
  const taken = new Set<number>();
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof ClusterPorts)[]) {
    picked[key] = await freePortBelow32768(taken);
    taken.add(picked[key]);
  }
  return picked;
}

/**
 * A free loopback port under 32768. The server stores its membership port in a SMALLINT column
 * (cluster_membership.rpc_port), and the kernel hands out ephemeral ports from 32768 up, so
 * freePort() will not do: random ports of 20000–32767 are tried instead.
 */
async function freePortBelow32768(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('found no free port between 20000 and 32767 on 127.0.0.1');
}

/**
 * Builds what is missing (once per machine), makes certificates and databases, writes the configs,
 * starts the server (and the UI), registers the namespace with the Temporal CLI, and resolves once a
 * client with the generated certificate can use it. Every wait is bounded: on timeout or an early
 * exit it rejects with one line (the server's last error, and where its log is) and leaves nothing
 * running. The server is a child process: stop() ends it, so does this process's normal exit; a
 * run that was SIGKILLed leaves it behind, and the next start (or `npm run cluster -- down`) stops it.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const env = options.env ?? process.env;
  const log = options.log;
  const stateDir = path.resolve(options.stateDir ?? defaultStateDir(options.projectRoot));
  const namespace = options.namespace ?? 'default';
  const adminUrl = options.databaseAdminUrl ?? DEFAULT_DATABASE_ADMIN_URL;
  const databases = options.databases ?? DEFAULT_DATABASES;
  const authorization = options.authorization;
  const apiKey = authorization?.token;
  // The UI would need an OIDC login of its own to pass the authorizer.
  const withUi = (options.ui ?? true) && !authorization;
  await mkdir(stateDir, { recursive: true });

  const binaries = await ensureClusterBinaries({ env, log, ui: withUi, buildTimeoutMs: options.buildTimeoutMs });
  const cliPath = await findTemporalCli({
    projectRoot: options.projectRoot,
    env,
    log: log && { info: log.info.bind(log) },
  });
  const certs = await ensureCertificates(path.join(stateDir, 'certs'), log);
  await takeOverPrevious(stateDir, log);
  await ensureDatabases({ sqlTool: binaries.sqlTool, schema: binaries.schema, adminUrl, databases, log });
  await clearMembership(adminUrl, databases.default);

  const ports = await resolvePorts(options.ports);
  const configDir = path.join(stateDir, 'config');
  await mkdir(configDir, { recursive: true });
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  await writeFile(dynamicConfigFile, DYNAMIC_CONFIG);
  await writeFile(
    path.join(configDir, 'cluster.yaml'),
    serverConfig({
      ports,
      certs,
      db: databaseTarget(adminUrl),
      databases,
      dynamicConfigFile,
      logLevel: options.logLevel ?? 'warn',
      authorization,
    }),
  );

  const address = `127.0.0.1:${ports.frontend}`;
  const tls: ClusterTls = {
    serverName: TLS_SERVER_NAME,
    caCert: certs.caCert,
    clientCert: certs.clientCert,
    clientKey: certs.clientKey,
  };
  const logFile = path.join(stateDir, 'temporal-server.log');
  const record: PidRecord = { ownerPid: process.pid, stateDir };

  const started = Date.now();
  // With authorization, the internal frontend too (not among the services started by default).
  const services = authorization ? ['frontend', 'internal-frontend', 'history', 'matching', 'worker'] : [];
  const server = spawnLogged(
    binaries.server,
    [
      '--root',
      stateDir,
      '--config',
      'config',
      '--env',
      'cluster',
      '--allow-no-auth',
      'start',
      ...services.flatMap((name) => ['--service', name]),
    ],
    stateDir,
    logFile,
  );
  record.serverPid = server.child.pid;
  await writeFile(pidFileOf(stateDir), JSON.stringify(record));
  let ui: Spawned | undefined;

  const killOnExit = () => {
    ui?.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (ui) await ui.stop();
      await server.stop();
      const current = await readJson<PidRecord>(pidFileOf(stateDir));
      if (current?.serverPid === server.child.pid) await rm(pidFileOf(stateDir), { force: true });
    })());

  const deadline = started + (options.readyTimeoutMs ?? 90_000);
  const fail = async (what: string): Promise<never> => {
    const exit = server.exitStatus();
    await stop();
    const lastError = await lastLogError(logFile);
    throw new Error(
      oneLine(
        `Temporal cluster: ${what}${exit ? ` (server exited with ${exit})` : ''}${lastError ? `; last server error: ${lastError}` : ''}; log: ${logFile}`,
        900,
      ),
    );
  };
  try {
    const connectionOptions = await clusterConnectionOptions({ address, tls, apiKey });
    // Each attempt is bounded by what is left of the deadline, so that the deadline holds.
    const connectTimeout = () => Math.max(100, Math.min(2_000, deadline - Date.now()));
    const bounded = <T>(connection: Connection, call: () => Promise<T>) =>
      connection.withDeadline(Math.min(deadline, Date.now() + 5_000), call);
    await waitUntil('the frontend answers over mTLS', deadline, server, fail, async () => {
      const connection = await Connection.connect({ ...connectionOptions, connectTimeout: connectTimeout() });
      try {
        await bounded(connection, () => connection.workflowService.getSystemInfo({}));
      } finally {
        await connection.close();
      }
    });
    await waitUntil(`namespace "${namespace}" is registered`, deadline, server, fail, () =>
      registerNamespace(cliPath, address, namespace, tls, apiKey, deadline),
    );
    const connection = await Connection.connect({ ...connectionOptions, connectTimeout: connectTimeout() });
    try {
      await waitUntil(`namespace "${namespace}" is usable`, deadline, server, fail, async () => {
        // Resolves the name through the namespace registry (refreshed every second here)...
        await bounded(connection, () => connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 }));
        // ...and reaches a history shard: "workflow not found" is the answer of a serving shard.
        try {
          await bounded(connection, () =>
            connection.workflowService.describeWorkflowExecution({
              namespace,
              execution: { workflowId: 'gangway-cluster-readiness-probe' },
            }),
          );
        } catch (err) {
          const { code, message } = err as { code?: number; message: string };
          if (code === 5 && !/namespace/i.test(message)) return;
          throw err;
        }
      });
      const wanted = Object.entries(options.searchAttributes ?? GANGWAY_SEARCH_ATTRIBUTES);
      await waitUntil('the search attributes are registered', deadline, server, fail, async () => {
        const listed = await bounded(connection, () => connection.operatorService.listSearchAttributes({ namespace }));
        const missing = wanted.filter(([name]) => !(name in (listed.customAttributes ?? {})));
        if (!missing.length) return;
        for (const type of new Set(missing.map(([, type]) => type))) {
          const names = missing.filter(([, t]) => t === type).flatMap(([name]) => ['--name', name]);
          await temporalCli(cliPath, address, tls, apiKey, deadline, [
            'operator',
            'search-attribute',
            'create',
            '--namespace',
            namespace,
            ...names,
            '--type',
            type,
          ]);
        }
        throw new Error(`registered ${missing.map(([name]) => name).join(', ')}; not listed yet`);
      });
    } finally {
      await connection.close();
    }
  } catch (err) {
    if (stopped) throw err; // already failed through fail()
    return fail((err as Error).message);
  }
  const startMs = Date.now() - started;
  log?.info({ address, namespace, startMs }, 'Temporal cluster ready');

  let uiUrl: string | undefined;
  let uiError = binaries.uiError;
  if (authorization && (options.ui ?? true))
    uiError = 'no Temporal UI with authorization on (it would need an OIDC login)';
  if (withUi && binaries.ui) {
    await mkdir(path.join(stateDir, 'ui'), { recursive: true });
    await writeFile(path.join(stateDir, 'ui', 'cluster.yaml'), uiConfig({ ports, certs, namespace }));
    ui = spawnLogged(
      binaries.ui,
      ['--root', stateDir, '--config', 'ui', '--env', 'cluster', 'start'],
      stateDir,
      path.join(stateDir, 'temporal-ui.log'),
    );
    record.uiPid = ui.child.pid;
    await writeFile(pidFileOf(stateDir), JSON.stringify(record));
    const url = `http://127.0.0.1:${ports.ui}`;
    try {
      await waitForUi(url, namespace, ui, Math.min(Date.now() + 30_000, Math.max(deadline, Date.now() + 10_000)));
      uiUrl = url;
    } catch (err) {
      uiError = `the Temporal UI did not come up: ${(err as Error).message}; log: ${path.join(stateDir, 'temporal-ui.log')}`;
      log?.warn({ err: { message: uiError } }, 'no Temporal UI');
      await ui.stop();
      ui = undefined;
      delete record.uiPid;
      await writeFile(pidFileOf(stateDir), JSON.stringify(record));
    }
  }

  const clientEnv = clusterClientEnv(address, namespace, tls, apiKey);
  await writeFile(
    envFileOf(stateDir),
    Object.entries(clientEnv)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(''),
  );
  return {
    address,
    namespace,
    tls,
    certificates: certs,
    env: clientEnv,
    apiKey,
    ports,
    uiUrl,
    uiError,
    stateDir,
    logFile,
    startMs,
    binaries,
    process: server.child,
    stop,
    exited: server.exited,
  };
}

async function waitUntil(
  what: string,
  deadline: number,
  server: Spawned,
  fail: (what: string) => Promise<never>,
  attempt: () => Promise<void>,
): Promise<void> {
  let last: string;
  for (;;) {
    const exit = server.exitStatus() ?? server.spawnError();
    if (exit) return fail(`the server stopped before ${what}`);
    try {
      await attempt();
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) return fail(`timed out waiting until ${what}: ${last}`);
    await sleep(250);
  }
}

/** Runs the Temporal CLI against the cluster with the client certificate; rejects with one line. */
async function temporalCli(
  cliPath: string,
  address: string,
  tls: ClusterTls,
  apiKey: string | undefined,
  deadline: number,
  args: string[],
) {
  const connectionArgs = ['--address', address, '--tls-cert-path', tls.clientCert, '--tls-key-path', tls.clientKey];
  connectionArgs.push('--tls-ca-path', tls.caCert, '--tls-server-name', tls.serverName);
  if (apiKey) connectionArgs.push('--api-key', apiKey);
  try {
    // The CLI would also read TEMPORAL_* (an API key, a profile, a namespace) from a shell that points elsewhere.
    await run(cliPath, [...args, ...connectionArgs], {
      env: withoutPrefix(process.env, 'TEMPORAL_'),
      timeout: Math.max(1_000, Math.min(30_000, deadline - Date.now())),
    });
  } catch (err) {
    const { stderr, message } = err as Error & { stderr?: string };
    throw new Error(`temporal ${args.slice(0, 3).join(' ')}: ${oneLine(stderr || message, 300)}`, { cause: err });
  }
}

async function registerNamespace(
  cliPath: string,
  address: string,
  namespace: string,
  tls: ClusterTls,
  apiKey: string | undefined,
  deadline: number,
): Promise<void> {
  try {
    await temporalCli(cliPath, address, tls, apiKey, deadline, [
      'operator',
      'namespace',
      'create',
      '--namespace',
      namespace,
      '--retention',
      '72h',
    ]);
  } catch (err) {
    if (/already exists|already registered/i.test((err as Error).message)) return;
    throw err;
  }
}

async function waitForUi(url: string, namespace: string, ui: Spawned, deadline: number): Promise<void> {
  let last: string;
  for (;;) {
    const exit = ui.exitStatus() ?? ui.spawnError();
    if (exit)
      throw new Error(
        `it exited with ${exit}${(await lastLogError(ui.logFile)) ? `: ${await lastLogError(ui.logFile)}` : ''}`,
      );
    try {
      // Through the UI's API to the frontend: proves its mTLS client settings, not only its listener.
      const response = await fetch(`${url}/api/v1/namespaces/${encodeURIComponent(namespace)}`, {
        signal: AbortSignal.timeout(3_000),
      });
      if (response.ok) return;
      last = `HTTP ${response.status} ${oneLine(await response.text(), 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${last}`);
    await sleep(250);
  }
}

interface Spawned {
  child: ChildProcess;
  logFile: string;
  exited: Promise<string>;
  exitStatus(): string | undefined;
  spawnError(): string | undefined;
  stop(): Promise<void>;
}

/** A child whose stdout and stderr go to a log file (nothing to drain; it outlives a pipe). */
function spawnLogged(file: string, args: string[], cwd: string, logFile: string): Spawned {
  const fd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(file, args, { cwd, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let exitStatus: string | undefined;
  let spawnError: string | undefined;
  child.once('error', (err) => {
    spawnError = `cannot run ${file}: ${err.message}`;
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      exitStatus = signal ? `signal ${signal}` : `code ${code}`;
      resolve(exitStatus);
    }),
  );
  let stopping: Promise<void> | undefined;
  return {
    child,
    logFile,
    exited,
    exitStatus: () => exitStatus,
    spawnError: () => spawnError,
    stop: () =>
      (stopping ??= (async () => {
        if (child.pid === undefined || exitStatus !== undefined) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

/** The message of the last error-level line of a JSON (zap) log, or its last non-empty line. */
async function lastLogError(logFile: string): Promise<string | undefined> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((line) => line.trim());
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 200; i--) {
    try {
      const entry = JSON.parse(lines[i]) as { level?: string; msg?: string; error?: string };
      if (entry.level && /error|fatal|panic/.test(entry.level))
        return oneLine(`${entry.msg ?? ''}${entry.error ? `: ${entry.error}` : ''}`, 400);
    } catch {
      if (/error|fatal|panic|unable/i.test(lines[i])) return oneLine(lines[i], 400);
    }
  }
  return lines.length ? oneLine(lines[lines.length - 1], 400) : undefined;
}

/**
 * Processes of the pid record that still run from this state directory: when their recorded owner
 * still runs them, the directory is in use (an error); otherwise they were left behind by a run that
 * died and are stopped. The command line is checked, against a pid reused by something else.
 */
async function takeOverPrevious(stateDir: string, log: Log | undefined): Promise<void> {
  const record = await readJson<PidRecord>(pidFileOf(stateDir));
  if (!record) return;
  for (const pid of [record.uiPid, record.serverPid]) {
    if (!pid) continue;
    const info = await processInfo(pid);
    if (!info || !info.command.includes(stateDir)) continue;
    if (info.ppid === record.ownerPid && (await isAlive(record.ownerPid))) {
      const who = record.ownerPid === process.pid ? 'this process' : `process ${record.ownerPid}`;
      throw new Error(
        `a Temporal cluster (pid ${pid}) started by ${who} is still running on ${stateDir}; stop it first (npm run cluster -- down)`,
      );
    }
    log?.warn({ processId: pid, stateDir }, 'stopping a Temporal cluster process left running by a previous run');
    if (!(await terminate(pid, { signal: 'SIGTERM', graceMs: STOP_GRACE_MS })))
      throw new Error(`could not stop pid ${pid} left running on ${stateDir}`);
  }
  await rm(pidFileOf(stateDir), { force: true });
}

/**
 * `npm run cluster -- down`: stops whatever the pid record of stateDir names (server and UI),
 * whoever started it. Resolves to the pids it stopped.
 */
export async function stopRecordedCluster(stateDir: string, log?: Log): Promise<number[]> {
  const dir = path.resolve(stateDir);
  const record = await readJson<PidRecord>(pidFileOf(dir));
  const stopped: number[] = [];
  for (const pid of [record?.uiPid, record?.serverPid]) {
    if (!pid) continue;
    const info = await processInfo(pid);
    if (!info || !info.command.includes(dir)) continue;
    log?.info({ processId: pid }, 'stopping');
    if (!(await terminate(pid, { signal: 'SIGTERM', graceMs: STOP_GRACE_MS })))
      throw new Error(`could not stop pid ${pid}`);
    stopped.push(pid);
  }
  await rm(pidFileOf(dir), { force: true });
  return stopped;
}
