import { Client } from 'pg';
import { createPool } from '../../db/pool';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * After PostgreSQL drops every connection (a restart, a failover), the pool still holds them until it reads
 * each one's end; a statement sent on one fails without having run. Each such statement goes out again, as
 * often as dead connections are met, until one reaches the server.
 */
describe('the pool after PostgreSQL dropped every connection', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db?.drop());

  it('runs the next statements on fresh connections, however many dead ones it held', async () => {
    const max = 5;
    const pool = createPool(db.url, createLogger({ level: 'silent' }), { max });
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      for (let round = 0; round < 20; round++) {
        // Every connection of the pool opened and idle.
        const held = await Promise.all(Array.from({ length: max }, () => pool.connect()));
        const pids = await Promise.all(
          held.map(async (c) => (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid),
        );
        held.forEach((c) => c.release());
        expect(pool.idleCount).toBe(max);
        await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
        // At once, before the pool has read of the ends: each statement still runs, once.
        const answers = await Promise.all(
          Array.from({ length: 3 }, (_, i) => pool.query<{ n: number }>('SELECT $1::int AS n', [i])),
        );
        expect(answers.map((a) => a.rows[0].n)).toEqual([0, 1, 2]);
      }
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
