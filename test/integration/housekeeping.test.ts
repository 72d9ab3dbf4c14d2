import { randomUUID } from 'node:crypto';
import { insertTenant } from '../../db/tenants';
import { withTransaction } from '../../db/transaction';
import { housekeepingScheduleId, onboardingWorkflowId, offboardingWorkflowId } from '../../domain';
import { runScheduleNow } from '../support/schedules';
import { startBody, startStack, type Stack } from '../support/stack';

/** The housekeeping Schedule prunes what has expired, and only that. */
describe('housekeeping', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ HOUSEKEEPING_INTERVAL: '6h', IDEMPOTENCY_KEY_TTL: '24h' });
  });
  afterAll(() => stack?.stop());

  const q = (sql: string, args: unknown[] = []) => stack.db.pool.query(sql, args);
  const count = async (sql: string, args: unknown[] = []) => Number((await q(sql, args)).rows[0].n);

  it('runs on its interval and prunes expired Idempotency-Key answers, rate-limit windows, refresh-token families and delivered webhooks', async () => {
    const scheduleId = housekeepingScheduleId(stack.config.temporal.taskQueue);
    const schedule = await stack.temporal.schedule.getHandle(scheduleId).describe();
    expect(schedule.spec.intervals).toEqual([expect.objectContaining({ every: 6 * 3_600_000 })]);

    const user = await stack.addUser('staff');
    const key = (name: string, age: string) =>
      q(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response, created_at)
         VALUES ($1, $2, 'h', 202, '{}', now() - $3::interval)`,
        [user.id, name, age],
      );
    await key('old', '25 hours');
    await key('fresh', '23 hours');
    const limit = (name: string, windowEnds: string, blockedUntil: string | null) =>
      q(
        `INSERT INTO rate_limits (key, hits, window_ends_at, blocked_until)
         VALUES ($1, 1, now() + $2::interval, now() + $3::interval)`,
        [name, windowEnds, blockedUntil],
      );
    await limit('ended', '-1 minute', null);
    await limit('running', '1 minute', null);
    await limit('ended-but-blocked', '-1 minute', '10 minutes');
    // A family is one login's chain of refresh tokens; a used token of a family with a live one stays.
    const token = (family: string, expires: string) =>
      q(
        `INSERT INTO refresh_tokens (token_hash, user_id, expires_at, family_id) VALUES ($1, $2, now() + $3::interval, $4)`,
        [randomUUID(), user.id, expires, family],
      );
    const [dead, live] = [randomUUID(), randomUUID()];
    await token(dead, '-2 hours');
    await token(dead, '-1 hour');
    await token(live, '-1 hour');
    await token(live, '1 hour');

    // Delivered webhooks go after WEBHOOK_DELIVERED_RETENTION (30 days); undelivered ones stay, however old.
    const webhook = (id: string, created: string, delivered: string | null, failed: string | null) =>
      q(
        `INSERT INTO webhook_deliveries (id, onboarding_id, url, payload, created_at, delivered_at, failed_at)
         VALUES ($1, $2, 'https://hooks.example/in', '{}', now() - $3::interval, now() - $4::interval, now() - $5::interval)`,
        [id, randomUUID(), created, delivered, failed],
      );
    await webhook('delivered-31-days-ago', '31 days', '31 days', null);
    await webhook('delivered-29-days-ago', '31 days', '29 days', null);
    await webhook('pending-40-days', '40 days', null, null);
    await webhook('given-up-40-days-ago', '41 days', null, '40 days');
    // Records, with no retention set: kept, however old.
    const records = await oldRecords(q, '10 years');

    const { result } = await runScheduleNow(stack.temporal, scheduleId);

    expect(result).toEqual({
      idempotencyKeys: 1,
      rateLimits: 1,
      refreshTokens: 2,
      webhookDeliveries: 1,
      auditEvents: 0,
      securityEvents: 0,
      mailLog: 0,
      unstartedRows: { onboardings: 0, offboardings: 0, leftRunning: 0 },
    });
    expect(await records.left()).toEqual({ audit: 1, security: 1, mails: 1 });
    expect((await q('SELECT id FROM webhook_deliveries ORDER BY id')).rows.map((r) => r.id)).toEqual([
      'delivered-29-days-ago',
      'given-up-40-days-ago',
      'pending-40-days',
    ]);
    expect((await q('SELECT key FROM idempotency_keys WHERE user_id = $1', [user.id])).rows).toEqual([
      { key: 'fresh' },
    ]);
    expect(
      (await q(`SELECT key FROM rate_limits WHERE key IN ('ended', 'running', 'ended-but-blocked') ORDER BY key`)).rows,
    ).toEqual([{ key: 'ended-but-blocked' }, { key: 'running' }]);
    expect(await count('SELECT count(*) AS n FROM refresh_tokens WHERE family_id = $1', [dead])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM refresh_tokens WHERE family_id = $1', [live])).toBe(2);

    // A second pass finds nothing more to prune.
    expect((await runScheduleNow(stack.temporal, scheduleId)).result).toEqual({
      idempotencyKeys: 0,
      rateLimits: expect.any(Number),
      refreshTokens: 0,
      webhookDeliveries: 0,
      auditEvents: 0,
      securityEvents: 0,
      mailLog: 0,
      unstartedRows: { onboardings: 0, offboardings: 0, leftRunning: 0 },
    });
    expect(await count(`SELECT count(*) AS n FROM rate_limits WHERE key IN ('running', 'ended-but-blocked')`)).toBe(2);
  });

  it('removes the rows of onboardings and offboardings whose workflow never started, once Temporal runs none', async () => {
    const scheduleId = housekeepingScheduleId(stack.config.temporal.taskQueue);
    const approver = await stack.addUser('approver');
    const staff = await stack.addUser('staff');
    const tag = randomUUID().slice(0, 8);
    // What an API that died between its insert and Temporal's start leaves: a row at version 0.
    const onboardingRow = (partnerProvidedId: string, age: string, version = 0) =>
      q(
        `INSERT INTO onboardings (id, workflow_id, partner_provided_id, status, view, version, started_by, notify_email, created_at, updated_at)
         VALUES ($1, $2, $3, 'RUNNING', '{}', $4, NULL, 'ops@example.com', now() - $5::interval, now())`,
        [randomUUID(), onboardingWorkflowId(partnerProvidedId), partnerProvidedId, version, age],
      );
    const orphan = `orphan-${tag}`;
    await onboardingRow(orphan, '20 minutes');
    await onboardingRow(`young-${tag}`, '1 minute');
    await onboardingRow(`written-${tag}`, '20 minutes', 3);
    // A workflow no worker has picked up yet (its queue unpolled, as while the workers are down) keeps its row.
    const waiting = `waiting-${tag}`;
    await onboardingRow(waiting, '20 minutes');
    await stack.temporal.workflow.start('housekeepingWorkflow', {
      taskQueue: `nobody-polls-${tag}`,
      workflowId: onboardingWorkflowId(waiting),
      workflowExecutionTimeout: '5 minutes',
    });
    // A closed execution of the same workflow id (an earlier onboarding of the tenant) is not this row's.
    const again = `again-${tag}`;
    await onboardingRow(again, '20 minutes');
    const earlier = await stack.temporal.workflow.start('housekeepingWorkflow', {
      taskQueue: `nobody-polls-${tag}`,
      workflowId: onboardingWorkflowId(again),
    });
    await earlier.terminate('an earlier onboarding of the tenant');
    const tenantId = (await withTransaction(stack.db.pool, (tx) =>
      insertTenant(tx, {
        data: { partnerProvidedId: `off-${tag}`, name: 'Gone Shipping', plan: 'TRADE' },
        at: new Date(),
      }),
    ))!;
    await q(
      `INSERT INTO offboardings (id, workflow_id, tenant_id, partner_provided_id, reason, requested_by, status, view, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'gone', 'staff@example.com', 'RUNNING', '{}', 0, now() - interval '20 minutes', now())`,
      [randomUUID(), offboardingWorkflowId(`off-${tag}`), tenantId, `off-${tag}`],
    );

    // The orphan stands for an open onboarding of its tenant: a new start is refused until it is gone.
    const start = () =>
      stack.http('POST', '/v1/onboardings', {
        token: staff.token,
        body: startBody({
          approverEmail: approver.email,
          tenant: { ...startBody().tenant, partnerProvidedId: orphan },
        }),
      });
    expect((await start()).status).toBe(409);

    const { result } = await runScheduleNow<{ unstartedRows: unknown }>(stack.temporal, scheduleId);
    expect(result.unstartedRows).toEqual({ onboardings: 2, offboardings: 1, leftRunning: 1 });
    const left = await q(`SELECT partner_provided_id FROM onboardings WHERE partner_provided_id LIKE $1 ORDER BY 1`, [
      `%-${tag}`,
    ]);
    expect(left.rows.map((r) => r.partner_provided_id)).toEqual([`waiting-${tag}`, `written-${tag}`, `young-${tag}`]);
    expect(await count('SELECT count(*) AS n FROM offboardings WHERE tenant_id = $1', [tenantId])).toBe(0);

    const restarted = await start();
    expect(restarted.status).toBe(202);
  });
});

/** With a retention set for them, the records older than it go too, and only those. */
describe('housekeeping with the records retention set', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ AUDIT_RETENTION: '400d', SECURITY_EVENT_RETENTION: '90d', MAIL_LOG_RETENTION: '30d' });
  });
  afterAll(() => stack?.stop());

  const q = (sql: string, args: unknown[] = []) => stack.db.pool.query(sql, args);

  it('prunes audit events of ended onboardings, security events and sent mails older than their retention', async () => {
    const scheduleId = housekeepingScheduleId(stack.config.temporal.taskQueue);
    const past = await oldRecords(q, { audit: '401 days', security: '91 days', mails: '31 days' });
    const within = await oldRecords(q, { audit: '399 days', security: '89 days', mails: '29 days' });
    // An onboarding still open keeps its whole trail; one that has ended loses what is past the retention.
    const trailOf = async (status: string) => {
      const id = randomUUID();
      await q(
        `INSERT INTO onboardings (id, workflow_id, partner_provided_id, status, view, version, started_by, notify_email, created_at, updated_at)
         VALUES ($1, $2, $3, $4, '{}', 3, NULL, 'ops@example.com', now() - interval '500 days', now())`,
        [id, onboardingWorkflowId(`trail-${id}`), `trail-${id}`, status],
      );
      await q(
        `INSERT INTO audit_events (onboarding_id, event_key, occurred_at, actor, action)
         VALUES ($1, 'approval.requested', now() - interval '450 days', 'system', 'APPROVAL_REQUESTED')`,
        [id],
      );
      return async () =>
        Number((await q('SELECT count(*) AS n FROM audit_events WHERE onboarding_id = $1', [id])).rows[0].n);
    };
    const stillOpen = await trailOf('AWAITING_APPROVAL');
    const ended = await trailOf('COMPLETED');
    // A mail never sent (its attempts given up) stays, as an undelivered webhook does.
    await q(
      `INSERT INTO mail_log (idempotency_key, recipient, subject, created_at) VALUES ($1, 'x@example.com', 's', now() - interval '60 days')`,
      [`unsent-${randomUUID()}`],
    );

    const { result } = await runScheduleNow<{ auditEvents: number; securityEvents: number; mailLog: number }>(
      stack.temporal,
      scheduleId,
    );

    expect(result).toMatchObject({ auditEvents: 2, securityEvents: 1, mailLog: 1 });
    expect(await past.left()).toEqual({ audit: 0, security: 0, mails: 0 });
    expect([await stillOpen(), await ended()]).toEqual([1, 0]);
    expect(await within.left()).toEqual({ audit: 1, security: 1, mails: 1 });
    expect(Number((await q(`SELECT count(*) AS n FROM mail_log WHERE sent_at IS NULL`)).rows[0].n)).toBe(1);
  });
});

/**
 * One audit event, one security event and one sent mail, each as old as given (one age for all, or one each),
 * tagged so that `left()` counts what is left of them.
 */
async function oldRecords(
  q: (sql: string, args?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  age: string | { audit: string; security: string; mails: string },
) {
  const ages = typeof age === 'string' ? { audit: age, security: age, mails: age } : age;
  const tag = randomUUID();
  await q(
    `INSERT INTO audit_events (onboarding_id, event_key, occurred_at, actor, action)
     VALUES ($1, 'approval.decided:1', now() - $2::interval, 'am@example.com', 'APPROVE')`,
    [tag, ages.audit],
  );
  await q(
    `INSERT INTO security_events (occurred_at, event, subject) VALUES (now() - $1::interval, 'login.refused', $2)`,
    [ages.security, tag],
  );
  await q(
    `INSERT INTO mail_log (idempotency_key, recipient, subject, sent_at, created_at)
     VALUES ($1, 'x@example.com', 's', now() - $2::interval, now() - $2::interval)`,
    [tag, ages.mails],
  );
  const n = async (sql: string) => Number((await q(sql, [tag])).rows[0].n);
  return {
    left: async () => ({
      audit: await n('SELECT count(*) AS n FROM audit_events WHERE onboarding_id = $1'),
      security: await n('SELECT count(*) AS n FROM security_events WHERE subject = $1'),
      mails: await n('SELECT count(*) AS n FROM mail_log WHERE idempotency_key = $1'),
    }),
  };
}
