import { FINAL_STATUSES, type OnboardingStatus } from '../domain';
import type { Queryable } from './queryable';

/** Onboardings started on one UTC day, by where they are now: each final status, or still open. */
export interface DailyOutcomes {
  day: string;
  counts: Record<(typeof FINAL_STATUSES)[number] | 'OPEN', number>;
}

/** Time from start to COMPLETED, in seconds, over the onboardings started in the window that completed. */
export interface TimeToComplete {
  count: number;
  p50Seconds: number | null;
  p90Seconds: number | null;
  p99Seconds: number | null;
}

/**
 * One row per day of the window (days without a start included, so a chart needs no gap filling),
 * counted over the onboardings table's newest-first index.
 */
export async function onboardingOutcomesByDay(db: Queryable, days: number, now: Date): Promise<DailyOutcomes[]> {
  const { rows } = await db.query<{ day: string; status: OnboardingStatus | null; n: number }>(
    `WITH window_days AS (
       SELECT generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC') - ($2::int - 1) * interval '1 day',
                              date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'), interval '1 day') AS day)
     SELECT to_char(w.day, 'YYYY-MM-DD') AS day, o.status, count(o.id)::int AS n
     FROM window_days w
     LEFT JOIN onboardings o
       ON o.created_at >= w.day AT TIME ZONE 'UTC' AND o.created_at < (w.day + interval '1 day') AT TIME ZONE 'UTC'
     GROUP BY w.day, o.status
     ORDER BY w.day`,
    [now, days],
  );
  const byDay = new Map<string, DailyOutcomes>();
  for (const r of rows) {
    const entry =
      byDay.get(r.day) ??
      byDay
        .set(r.day, { day: r.day, counts: { COMPLETED: 0, REJECTED: 0, CANCELLED: 0, FAILED: 0, OPEN: 0 } })
        .get(r.day)!;
    if (r.status === null) continue;
    const outcome = (FINAL_STATUSES as readonly string[]).includes(r.status)
      ? (r.status as keyof DailyOutcomes['counts'])
      : 'OPEN';
    entry.counts[outcome] += r.n;
  }
  return [...byDay.values()];
}

/** The moment of completion is the audit trail's ONBOARDING_COMPLETED row, which later re-checks never move. */
export async function timeToComplete(db: Queryable, days: number, now: Date): Promise<TimeToComplete> {
  const { rows } = await db.query<{ count: number; p: (number | null)[] | null }>(
    `SELECT count(*)::int AS count,
            percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM e.occurred_at - o.created_at)) AS p
     FROM onboardings o
     JOIN audit_events e ON e.onboarding_id = o.id AND e.action = 'ONBOARDING_COMPLETED'
     WHERE o.status = 'COMPLETED' AND o.created_at > $1::timestamptz - $2::int * interval '1 day'`,
    [now, days],
  );
  const [p50, p90, p99] = (rows[0]?.p ?? [null, null, null]).map((v) => (v === null ? null : Math.round(v)));
  return { count: rows[0]?.count ?? 0, p50Seconds: p50, p90Seconds: p90, p99Seconds: p99 };
}
