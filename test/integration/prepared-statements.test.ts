import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { findOnboarding, listOnboardings } from '../../db/onboardings';
import { prepared } from '../../db/prepared';
import { isUserActive } from '../../db/users';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The statements sent on every request are prepared once per connection (db/prepared.ts): PostgreSQL plans
 * them once and then only executes them, where an unnamed statement is parsed and planned every time.
 */
describe('prepared statements', () => {
  let db: TestDatabase;
  let client: PoolClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = await db.pool.connect();
  });
  afterAll(async () => {
    client?.release();
    await db?.drop();
  });

  /** This connection's prepared statements: how many times each was executed, from pg_prepared_statements. */
  const preparedOnConnection = async () =>
    (
      await client.query<{ statement: string; executions: string }>(
        'SELECT statement, generic_plans + custom_plans AS executions FROM pg_prepared_statements',
      )
    ).rows.map((r) => ({ statement: r.statement, executions: Number(r.executions) }));

  it('reads an onboarding, a page of them and a user through statements prepared once and executed again', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await findOnboarding(client, randomUUID())).toBeUndefined();
      expect(await isUserActive(client, randomUUID())).toBe(false);
      await listOnboardings(client, { limit: 20 });
      await listOnboardings(client, { limit: 20, status: 'COMPLETED' });
    }
    const statements = await preparedOnConnection();
    const executions = (fragment: string) => statements.filter((s) => s.statement.includes(fragment));
    expect(executions('FROM onboardings WHERE id = $1')).toEqual([{ statement: expect.any(String), executions: 3 }]);
    expect(executions('FROM users WHERE id = $1')).toEqual([{ statement: expect.any(String), executions: 3 }]);
    // Two shapes of filter, two statements; the values are parameters, never part of the text.
    expect(executions('ORDER BY created_at DESC, id DESC LIMIT').map((s) => s.executions)).toEqual([3, 3]);
  });

  it('names a statement by its text alone', () => {
    const text = 'SELECT $1::int AS n';
    const first = prepared(text, [1]);
    expect(prepared(text, [2])).toEqual({ ...first, values: [2] });
    expect(prepared(`${text}, 2 AS m`, [1]).name).not.toBe(first.name);
    expect(first.name).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
  });
});
