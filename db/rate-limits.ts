import { prepared } from './prepared';
import type { Queryable } from './queryable';

/**
 * Counters every API process shares: one row per key, counted and checked in one statement so that two
 * processes cannot both pass the last free attempt. Answers how long to wait, 0 when the attempt may go on.
 */

/** Counts one attempt in a fixed window; over `max`, the milliseconds until the window ends. */
export async function countAttempt(db: Queryable, key: string, max: number, windowMs: number): Promise<number> {
  const { rows } = await db.query<{ hits: number; wait_ms: number }>(
    prepared(
      `INSERT INTO rate_limits (key, hits, window_ends_at) VALUES ($1, 1, now() + $2 * interval '1 millisecond')
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN rate_limits.window_ends_at <= now() THEN 1 ELSE rate_limits.hits + 1 END,
       window_ends_at = CASE WHEN rate_limits.window_ends_at <= now() THEN EXCLUDED.window_ends_at ELSE rate_limits.window_ends_at END
     RETURNING hits, ceil(extract(epoch FROM window_ends_at - now()) * 1000)::int AS wait_ms`,
      [key, windowMs],
    ),
  );
  return rows[0].hits > max ? Math.max(rows[0].wait_ms, 1) : 0;
}

/** How long a key is still blocked by earlier failures (0: not blocked). */
export async function blockedFor(db: Queryable, key: string): Promise<number> {
  const { rows } = await db.query<{ wait_ms: number }>(
    `SELECT ceil(extract(epoch FROM blocked_until - now()) * 1000)::int AS wait_ms FROM rate_limits
     WHERE key = $1 AND blocked_until > now()`,
    [key],
  );
  return rows[0]?.wait_ms ?? 0;
}

/**
 * Counts a failure; from the `free`-th failure within the window each one blocks the key for a delay that
 * doubles (base, 2·base, 4·base, … up to max), so guessing slows down while the owner is barely hindered.
 */
export async function countFailure(
  db: Queryable,
  key: string,
  policy: { free: number; baseDelayMs: number; maxDelayMs: number; windowMs: number },
): Promise<void> {
  const delay = (hits: string) =>
    `CASE WHEN ${hits} >= $2::int THEN now() + least($4::float8, $3::float8 * power(2, ${hits} - $2::int)) * interval '1 millisecond' END`;
  const next = 'CASE WHEN rate_limits.window_ends_at <= now() THEN 1 ELSE rate_limits.hits + 1 END';
  await db.query(
    `INSERT INTO rate_limits (key, hits, window_ends_at, blocked_until)
     VALUES ($1, 1, now() + $5 * interval '1 millisecond', ${delay('1')})
     ON CONFLICT (key) DO UPDATE SET hits = ${next}, window_ends_at = EXCLUDED.window_ends_at, blocked_until = ${delay(next)}`,
    [key, policy.free, policy.baseDelayMs, policy.maxDelayMs, policy.windowMs],
  );
}

/** A success forgets earlier failures. */
export async function clearFailures(db: Queryable, key: string): Promise<void> {
  await db.query('DELETE FROM rate_limits WHERE key = $1', [key]);
}
