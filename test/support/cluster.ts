import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { DEFAULT_DATABASE_ADMIN_URL, serverCacheDir } from '../../infra/temporal-cluster';

const ROOT = path.join(__dirname, '..', '..');

/** The PostgreSQL server a test cluster keeps its databases on. */
export const CLUSTER_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_DATABASE_ADMIN_URL;

/**
 * Why a test of the real Temporal server cannot run here, if it cannot: nothing built in the machine
 * cache and no Go toolchain to build it (the first run on a machine builds it: 6 to 10 minutes).
 */
export function clusterSkipReason(): string | undefined {
  const built = existsSync(path.join(serverCacheDir(), 'server')) && existsSync(path.join(serverCacheDir(), 'sql'));
  const goFound = [
    process.env.GOROOT && path.join(process.env.GOROOT, 'bin'),
    ...(process.env.PATH ?? '').split(path.delimiter),
    '/usr/local/go/bin',
  ]
    .filter((dir): dir is string => Boolean(dir))
    .some((dir) => existsSync(path.join(dir, 'go')));
  return built || goFound ? undefined : `no Temporal server in ${serverCacheDir()} and no Go toolchain to build it`;
}

/**
 * A test cluster's own databases, named after this checkout and the test (two checkouts or two test
 * files never share them), and a way to drop them before and after.
 */
export function clusterDatabases(test: string) {
  const suffix = createHash('sha256').update(`${ROOT}:${test}`).digest('hex').slice(0, 8);
  const databases = {
    default: `gangway_temporal_${test}_${suffix}`,
    visibility: `gangway_temporal_${test}_${suffix}_visibility`,
  };
  return {
    databases,
    drop: async (): Promise<void> => {
      const pg = new PgClient({ connectionString: CLUSTER_ADMIN_URL });
      await pg.connect();
      try {
        for (const name of [databases.default, databases.visibility])
          await pg.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await pg.end();
      }
    },
  };
}
