import type { Pool } from 'pg';
import type { MailSink } from '../infra/mail-sink';
import type { PortalStub } from '../infra/portal-stub';

/** One request made while a dependency was down, and its answer (0: no answer). */
export interface Probe {
  outage: 'PostgreSQL' | 'Temporal';
  kind: string;
  status: number;
  retryAfter?: string;
  /** How long the answer took. */
  ms: number;
}

export interface MeasureInput {
  pool: Pool;
  ids: string[];
  n: number;
  mail: MailSink;
  receiver: { deliveries: { id: string; status: number }[] };
  portal: PortalStub;
  probes: Probe[];
  /** Every answer the drivers got, by kind of request (a retried request counts each time). */
  answers: Record<string, number[]>;
  lostLinks: number;
  timeline: { at: number; event: string }[];
}

const FINAL = ['COMPLETED', 'REJECTED', 'CANCELLED', 'FAILED'];
/** Probes that reach Temporal: while it is down they must answer 503, like everything while PostgreSQL is. */
const NEEDS_TEMPORAL = ['POST start', 'POST decision', 'POST cancel'];
/**
 * What no request may get while Temporal is down: no answer, or a 500. A probe that never needs
 * Temporal (a made-up collector or kit token) may still get its final 410: that refusal is true.
 */
const NEVER_IN_OUTAGE = [0, 500];

const histogram = (values: (number | string)[]) =>
  values.reduce<Record<string, number>>((h, v) => ({ ...h, [v]: (h[v] ?? 0) + 1 }), {});

/** Counts what the run left behind and names every violation of RELIABILITY.md's guarantees. */
export async function measure(input: MeasureInput) {
  const { pool, ids, n } = input;
  const violations: string[] = [];
  const one = async (sql: string) => (await pool.query<{ n: string }>(sql, [ids])).rows.map((r) => Number(r.n));

  const { rows: statusRows } = await pool.query<{ id: string; status: string }>(
    'SELECT id, status FROM onboardings WHERE id = ANY($1::uuid[])',
    [ids],
  );
  const statuses = histogram(statusRows.map((r) => r.status));
  const lost = n - statusRows.length;
  const stuck = statusRows.filter((r) => !FINAL.includes(r.status)).length;
  const notCompleted = statusRows.filter((r) => r.status !== 'COMPLETED').length;
  if (lost > 0) violations.push(`${lost} onboardings lost (no row)`);
  if (stuck > 0) violations.push(`${stuck} onboardings stuck: ${JSON.stringify(statuses)}`);
  if (notCompleted - stuck > 0) violations.push(`${notCompleted - stuck} onboardings ended other than COMPLETED`);

  // Exactly one of each row per onboarding (a retried activity must never make a second).
  const perOnboarding = {
    tenants: await one(
      'SELECT count(*) AS n FROM tenants WHERE orchestration_id = ANY($1::text[]) GROUP BY orchestration_id',
    ),
    integration_users: await one(
      'SELECT count(*) AS n FROM integration_users WHERE orchestration_id = ANY($1::text[]) GROUP BY orchestration_id',
    ),
    api_clients: await one(
      'SELECT count(*) AS n FROM api_clients WHERE orchestration_id = ANY($1::text[]) GROUP BY orchestration_id',
    ),
    kits: await one('SELECT count(*) AS n FROM kits WHERE onboarding_id = ANY($1::uuid[]) GROUP BY onboarding_id'),
    collector_links: await one(
      'SELECT count(*) AS n FROM collector_links WHERE onboarding_id = ANY($1::uuid[]) GROUP BY onboarding_id',
    ),
    subscriptions_assigned: await one(
      `SELECT count(*) AS n FROM subscriptions s JOIN tenants t ON t.tenant_id = s.tenant_id
        WHERE t.orchestration_id = ANY($1::text[]) AND s.status = 'ASSIGNED' GROUP BY t.orchestration_id`,
    ),
  };
  const expectedPer: Record<string, number> = { subscriptions_assigned: 2 };
  const rows: Record<string, { onboardings: number; total: number; duplicates: number }> = {};
  for (const [table, counts] of Object.entries(perOnboarding)) {
    const expected = expectedPer[table] ?? 1;
    const duplicates = counts.filter((c) => c > expected).length;
    rows[table] = { onboardings: counts.length, total: counts.reduce((a, b) => a + b, 0), duplicates };
    if (table !== 'collector_links' && duplicates > 0)
      violations.push(`${table}: ${duplicates} onboardings with more than ${expected}`);
  }

  // Mail: at-least-once, each logical mail under one Message-ID derived from its key.
  const messages = input.mail.messages();
  const byMessageId = histogram(messages.map((m) => m.messageId));
  const idsByLogical = new Map<string, Set<string>>();
  for (const m of messages) {
    const key = `${m.to.join(',')}|${m.subject}`;
    idsByLogical.set(key, (idsByLogical.get(key) ?? new Set()).add(m.messageId));
  }
  const mail = {
    sent: messages.length,
    messageIds: Object.keys(byMessageId).length,
    logical: idsByLogical.size,
    repeatedSends: messages.length - Object.keys(byMessageId).length,
    repeatedMessageIds: Object.values(byMessageId).filter((c) => c > 1).length,
    logicalUnderTwoMessageIds: [...idsByLogical.values()].filter((s) => s.size > 1).length,
    mailLogRows: (await pool.query<{ n: string }>('SELECT count(*) AS n FROM mail_log WHERE sent_at IS NOT NULL')).rows
      .map((r) => Number(r.n))
      .at(0),
  };
  if (mail.logicalUnderTwoMessageIds > 0)
    violations.push(`${mail.logicalUnderTwoMessageIds} logical mails sent under two Message-IDs`);

  // Webhooks: at-least-once with stable ids; every queued one delivered.
  const { rows: hooks } = await pool.query<{ id: string; delivered: boolean; failed: boolean }>(
    `SELECT id, delivered_at IS NOT NULL AS delivered, failed_at IS NOT NULL AS failed
       FROM webhook_deliveries WHERE onboarding_id = ANY($1::uuid[])`,
    [ids],
  );
  const posts = input.receiver.deliveries;
  const accepted = new Set(posts.filter((p) => p.status === 200).map((p) => p.id));
  const webhooks = {
    queued: hooks.length,
    delivered: hooks.filter((h) => h.delivered).length,
    failed: hooks.filter((h) => h.failed).length,
    posts: posts.length,
    answered503: posts.filter((p) => p.status === 503).length,
    distinctIds: new Set(posts.map((p) => p.id)).size,
    acceptedIds: accepted.size,
    acceptedMoreThanOnce: posts.filter((p) => p.status === 200).length - accepted.size,
  };
  const undelivered = hooks.filter((h) => !accepted.has(h.id)).length;
  if (undelivered > 0) violations.push(`${undelivered} webhooks never accepted by the receiver`);

  // Outages: a 503 with Retry-After for what needs the missing dependency; never a final refusal or a 500.
  const probeViolations = input.probes.filter((p) => {
    if (p.outage === 'PostgreSQL' || NEEDS_TEMPORAL.includes(p.kind)) return p.status !== 503 || !p.retryAfter;
    return NEVER_IN_OUTAGE.includes(p.status);
  });
  for (const p of probeViolations) violations.push(`during the ${p.outage} outage ${p.kind} answered ${p.status}`);
  const answers = Object.fromEntries(Object.entries(input.answers).map(([k, v]) => [k, histogram(v)]));
  for (const [kind, statuses] of Object.entries(input.answers))
    for (const bad of [404, 410, 500]) {
      const count = statuses.filter((s) => s === bad).length;
      if (count > 0) violations.push(`${kind} answered ${bad} ${count} times`);
    }
  if (input.lostLinks > 0) violations.push(`${input.lostLinks} clients never got a collector link`);

  return {
    n,
    statuses,
    lost,
    stuck,
    rows,
    mail,
    webhooks,
    portalCalls: input.portal.logins.length,
    probes: input.probes,
    answers,
    timeline: input.timeline,
    violations,
  };
}

/** The report as a few lines for the terminal. */
export function summary(report: Awaited<ReturnType<typeof measure>>): string {
  const rows = Object.entries(report.rows)
    .map(([t, r]) => `  ${t.padEnd(24)} ${String(r.total).padStart(6)} rows over ${r.onboardings}, ${r.duplicates} dup`)
    .join('\n');
  const probes = Object.entries(histogram(report.probes.map((p) => `${p.outage} ${p.kind} -> ${p.status}`)))
    .map(([k, c]) => `  ${k} (x${c})`)
    .join('\n');
  return [
    `onboardings: ${report.n}; statuses ${JSON.stringify(report.statuses)}; lost ${report.lost}; stuck ${report.stuck}`,
    `rows:\n${rows}`,
    `mail: ${JSON.stringify(report.mail)}`,
    `webhooks: ${JSON.stringify(report.webhooks)}`,
    `portal calls: ${report.portalCalls}`,
    `answers: ${JSON.stringify(report.answers)}`,
    `probes during outages:\n${probes}`,
    report.violations.length === 0 ? 'PASS: no violation' : `FAIL:\n  ${report.violations.join('\n  ')}`,
  ].join('\n');
}
