import type { Pool } from 'pg';
import { ActiveUsers } from '../../api/active-users';
import { createLogger } from '../../lib/logger';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { pollUntil, waitFor } from '../support/wait';

/**
 * The API remembers active users instead of asking PostgreSQL on every request, and still stops a
 * disabled user's tokens at once: every process hears each change of access from PostgreSQL.
 */
describe('active users, remembered per API process', () => {
  let db: TestDatabase;
  const started: ActiveUsers[] = [];
  const log = createLogger({ level: 'silent' });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(started.map((a) => a.stop()));
    await db?.drop();
  });

  /** An API process's view of the users, with the PostgreSQL lookups it makes counted. */
  async function apiProcess(options: { hold?: () => Promise<void> } = {}) {
    const counter = { lookups: 0 };
    const pool = {
      query: async (...args: unknown[]) => {
        counter.lookups++;
        await options.hold?.();
        return (db.pool.query as (...a: unknown[]) => Promise<unknown>)(...args);
      },
    } as unknown as Pool;
    const users = new ActiveUsers(pool, { connectionString: db.url, log });
    started.push(users);
    await users.start();
    return { users, counter };
  }

  const addUser = async () =>
    (
      await db.pool.query<{ id: string }>(
        `INSERT INTO users (email, role, password_hash) VALUES ($1, 'staff', 'x') RETURNING id`,
        [`u${Math.random().toString(36).slice(2)}@staff.example`],
      )
    ).rows[0].id;
  /** As the CLI does: straight in PostgreSQL, from outside every API process. */
  const setDisabled = (id: string, disabled: boolean) =>
    db.pool.query('UPDATE users SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1', [id, disabled]);
  /** A remembered answer lasts a minute: false within two seconds can only come from the change heard. */
  const becomesInactive = async (users: ActiveUsers, id: string) =>
    pollUntil(
      () => users.isActive(id),
      (active) => !active,
      { timeoutMs: 2_000, intervalMs: 5 },
    );

  it('asks once, then answers from memory; a disable made elsewhere reaches every process', async () => {
    const id = await addUser();
    const a = await apiProcess();
    const b = await apiProcess();
    expect(a.users.listening).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(await a.users.isActive(id)).toBe(true);
      expect(await b.users.isActive(id)).toBe(true);
    }
    expect([a.counter.lookups, b.counter.lookups]).toEqual([1, 1]);

    await setDisabled(id, true);
    expect(await becomesInactive(a.users, id)).toBe(false);
    expect(await becomesInactive(b.users, id)).toBe(false);
    // A disabled user is never remembered: enabled again, they are active at the next request.
    await setDisabled(id, false);
    expect(await a.users.isActive(id)).toBe(true);
    expect(await db.pool.query('DELETE FROM users WHERE id = $1', [id])).toMatchObject({ rowCount: 1 });
    expect(await becomesInactive(a.users, id)).toBe(false);
  });

  it('remembers nothing while it cannot hear, and listens again', async () => {
    const id = await addUser();
    const a = await apiProcess();
    await a.users.isActive(id);
    const { rowCount } = await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query = 'LISTEN gangway_user_access'`,
    );
    expect(rowCount).toBeGreaterThanOrEqual(1);
    await waitFor(async () => !a.users.listening, 5_000, 10);
    const before = a.counter.lookups;
    await a.users.isActive(id);
    await a.users.isActive(id);
    expect(a.counter.lookups - before).toBe(2);
    // Deaf, it asks each time: a disable is seen by the next request.
    await setDisabled(id, true);
    expect(await a.users.isActive(id)).toBe(false);
    await setDisabled(id, false);

    await waitFor(async () => a.users.listening, 10_000, 20);
    const again = a.counter.lookups;
    await a.users.isActive(id);
    await a.users.isActive(id);
    expect(a.counter.lookups - again).toBe(1);
  });

  it('does not remember an answer read while the user’s access changed', async () => {
    const id = await addUser();
    let release!: () => void;
    let holding = false;
    const a = await apiProcess({
      hold: () => (holding ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()),
    });
    holding = true;
    const lookup = a.users.isActive(id);
    await waitFor(async () => release !== undefined, 2_000, 1);
    holding = false;
    // The change lands while the lookup is on its way: its "active" may be from before the change.
    a.users.forget(id);
    release();
    expect(await lookup).toBe(true);
    const before = a.counter.lookups;
    await a.users.isActive(id);
    expect(a.counter.lookups - before).toBe(1);
  });
});
