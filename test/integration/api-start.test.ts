import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { startApiProcess } from '../../api/start-api';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { pollUntil } from '../support/wait';

/** A start that fails half way closes what it opened: no pool, LISTEN or Temporal connection is left behind. */
describe('the API process start', () => {
  let db: TestDatabase;
  let taken: Server;

  beforeAll(async () => {
    db = await createTestDatabase();
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => taken?.close(resolve));
    await db?.drop();
  });

  /** The connections to the test's database other than the test's own pool. */
  const othersConnected = async () => {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND application_name <> 'gangway-test-check'`,
    );
    return rows[0].n;
  };

  it('closes its pool and its LISTEN connection when its port is taken', async () => {
    await db.pool.query("SET application_name = 'gangway-test-check'");
    // The pool may hand the check another client: every client of the test's pool names itself.
    db.pool.on('connect', (client) => void client.query("SET application_name = 'gangway-test-check'"));
    await db.pool.query('SELECT 1');
    const config = loadConfig({
      PORT: String((taken.address() as { port: number }).port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      GANGWAY_MASTER_KEY: randomBytes(32).toString('base64'),
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
      TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    });
    await expect(startApiProcess(config, createLogger({ level: 'silent' }))).rejects.toThrow(/EADDRINUSE/);
    // Server backends end a moment after their clients close: waited for, not slept on.
    expect(await pollUntil(othersConnected, (n) => n === 0, { timeoutMs: 5_000 })).toBe(0);
  });
});
