import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { createActivities, type ActivityDeps } from '../../activities';
import { createLogger } from '../../lib/logger';
import { newDataKey } from '../../lib/envelope';
import { createSecrets } from '../../lib/secrets';
import { sendOnce } from '../../notify/mail-log';
import type { Mailer, OutgoingMail } from '../../notify/mailer';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { deriveUsername } from '../../domain';
import { OnboardingState } from '../../workflows/state';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startBody } from '../support/stack';

/**
 * Each activity run twice with the same input, as Temporal's retry would: one row, one mail.
 * The mailer is the one injected fake (it counts); mail_log, rows and the portal are real.
 */
describe('activities are idempotent', () => {
  let db: TestDatabase;
  let portal: PortalStub;
  const sent: OutgoingMail[] = [];
  const mailer: Mailer = { send: async (mail) => void sent.push(mail), close: async () => undefined };
  let acts: ReturnType<typeof createActivities>;
  let deps: ActivityDeps;
  const secrets = createSecrets(newDataKey());

  beforeAll(async () => {
    db = await createTestDatabase();
    portal = await startPortalStub({ username: 'u', password: 'right' });
    deps = {
      pool: db.pool,
      secrets,
      log: createLogger({ level: 'silent' }),
      mail: { sendOnce: (mail) => sendOnce(db.pool, mailer, mail) },
      http: fetch,
      clock: () => new Date(),
      config: {
        publicUrl: 'http://gangway.test',
        developerPortalUrl: 'http://gangway.test/docs',
        usernamePrefix: 'WSI',
        staffEmailDomains: ['gangway.example'],
        portalTimeoutMs: 2_000,
        idempotencyKeyTtlMs: 86_400_000,
        webhookDeliveredRetentionMs: 30 * 86_400_000,
      },
    };
    acts = createActivities(deps);
  });
  afterAll(async () => {
    await db?.drop();
    await portal?.close();
  });
  beforeEach(() => (sent.length = 0));

  const count = async (sql: string, args: unknown[]) => Number((await db.pool.query(sql, args)).rows[0].count);

  async function provision() {
    const onboardingId = randomUUID();
    const body = startBody();
    const { tenantId } = await acts.createTenant({
      workflowId: `onboarding-${body.tenant.partnerProvidedId}`,
      onboardingId,
      tenant: body.tenant,
    });
    return { onboardingId, tenantId, body };
  }

  it('creates one tenant per onboarding, marked with the orchestration, and refuses a second live one', async () => {
    const { onboardingId, tenantId, body } = await provision();
    const again = await acts.createTenant({ workflowId: 'w', onboardingId, tenant: body.tenant });
    expect(again.tenantId).toBe(tenantId);
    expect(
      await count('SELECT count(*) FROM tenants WHERE partner_provided_id = $1', [body.tenant.partnerProvidedId]),
    ).toBe(1);
    const { rows } = await db.pool.query('SELECT data FROM tenants WHERE tenant_id = $1', [tenantId]);
    expect(rows[0].data.orchestratedAssetMetadata.orchestrationId).toBe(`onboarding-${body.tenant.partnerProvidedId}`);

    const other = acts.createTenant({ workflowId: 'w2', onboardingId: randomUUID(), tenant: body.tenant });
    await expect(other).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(other).rejects.toMatchObject({ type: 'CONFLICT', nonRetryable: true });
  });

  it('writes the tenant as version 1 and archives it as a new version, the first staying readable', async () => {
    const { onboardingId, tenantId } = await provision();
    await acts.archiveTenant({ onboardingId, tenantId });
    await acts.archiveTenant({ onboardingId, tenantId });
    const { rows } = await db.pool.query(
      "SELECT version, archived, data->'orchestratedAssetMetadata' IS NOT NULL AS orchestrated FROM tenant_versions WHERE tenant_id = $1 ORDER BY version",
      [tenantId],
    );
    expect(rows).toEqual([
      { version: 1, archived: false, orchestrated: true },
      { version: 2, archived: true, orchestrated: true },
    ]);
  });

  it('refuses, without retrying, a tenant without the TRADE plan when subscriptions are asked for', async () => {
    const body = startBody();
    const attempt = acts.createTenant({
      workflowId: 'w',
      onboardingId: randomUUID(),
      tenant: { ...body.tenant, plan: 'BASIC' },
      subscriptions: ['ORDER_MANAGEMENT'],
    });
    await expect(attempt).rejects.toMatchObject({
      type: 'INVALID_INPUT',
      nonRetryable: true,
      message: expect.stringMatching(/TRADE plan/),
    });
    expect(
      await count('SELECT count(*) FROM tenants WHERE partner_provided_id = $1', [body.tenant.partnerProvidedId]),
    ).toBe(0);
  });

  it('refuses a person’s mailbox for the integration user: a staff domain or a staff account', async () => {
    const { onboardingId, tenantId, body } = await provision();
    const input = { onboardingId, tenantId, partnerProvidedId: body.tenant.partnerProvidedId };
    const inDomain = acts.createIntegrationUser({
      ...input,
      integrationUser: { ...body.integrationUser, email: 'jo@gangway.example' } as any,
    });
    await expect(inDomain).rejects.toMatchObject({
      type: 'INVALID_INPUT',
      nonRetryable: true,
      message: expect.stringMatching(/staff domain/),
    });
    await db.pool.query(
      "INSERT INTO users (email, role, password_hash) VALUES ('kim@elsewhere.example', 'staff', 'x')",
    );
    const staffAccount = acts.createIntegrationUser({
      ...input,
      integrationUser: { ...body.integrationUser, email: 'Kim@elsewhere.example' } as any,
    });
    await expect(staffAccount).rejects.toMatchObject({
      type: 'INVALID_INPUT',
      message: expect.stringMatching(/staff account/),
    });
    expect(await count('SELECT count(*) FROM integration_users WHERE orchestration_id = $1', [onboardingId])).toBe(0);
  });

  it('takes the username prefix from configuration', async () => {
    const prefixed = createActivities({ ...deps, config: { ...deps.config, usernamePrefix: 'API' } });
    const { onboardingId, tenantId } = await provision();
    const { username } = await prefixed.createIntegrationUser({
      onboardingId,
      tenantId,
      partnerProvidedId: 'prefixed-co',
      integrationUser: startBody().integrationUser as any,
    });
    expect(username).toBe('API_PREFIXED_CO');
  });

  it('derives the same integration username on retry, and the next free one when taken', async () => {
    const a = await provision();
    const input = {
      onboardingId: a.onboardingId,
      tenantId: a.tenantId,
      partnerProvidedId: 'same-name',
      integrationUser: a.body.integrationUser as any,
    };
    const first = await acts.createIntegrationUser(input);
    expect(await acts.createIntegrationUser(input)).toEqual(first);
    expect(first.username).toBe(deriveUsername('WSI', 'same-name'));

    const b = await provision();
    const second = await acts.createIntegrationUser({ ...input, onboardingId: b.onboardingId, tenantId: b.tenantId });
    expect(second.username).toBe('WSI_SAME_NAME_2');
  });

  it('issues client credentials once: one client, one sealed secret for the kit', async () => {
    const { onboardingId, tenantId } = await provision();
    const first = await acts.issueClientCredentials({ onboardingId, tenantId, administrators: ['Ops@X.example'] });
    // The client, the tenant it serves, its administrator and its kit, written together.
    expect(
      (await db.pool.query('SELECT tenant_id FROM api_client_tenants WHERE client_id = $1', [first.clientId])).rows,
    ).toEqual([{ tenant_id: tenantId }]);
    expect(
      (await db.pool.query('SELECT email FROM api_client_administrators WHERE client_id = $1', [first.clientId])).rows,
    ).toEqual([{ email: 'ops@x.example' }]);
    expect((await db.pool.query('SELECT client_id FROM kits WHERE onboarding_id = $1', [onboardingId])).rows).toEqual([
      { client_id: first.clientId },
    ]);
    const sealedBefore = (
      await db.pool.query('SELECT client_secret_sealed FROM kits WHERE onboarding_id = $1', [onboardingId])
    ).rows[0].client_secret_sealed;
    expect(await acts.issueClientCredentials({ onboardingId, tenantId, administrators: ['Ops@X.example'] })).toEqual(
      first,
    );
    expect(await count('SELECT count(*) FROM api_clients WHERE orchestration_id = $1', [onboardingId])).toBe(1);
    expect(await count('SELECT count(*) FROM api_client_administrators WHERE client_id = $1', [first.clientId])).toBe(
      1,
    );
    expect(
      (await db.pool.query('SELECT client_secret_sealed FROM kits WHERE onboarding_id = $1', [onboardingId])).rows[0]
        .client_secret_sealed,
    ).toBe(sealedBefore);

    await acts.revokeClientCredentials({ onboardingId });
    await acts.revokeClientCredentials({ onboardingId });
    const { rows } = await db.pool.query('SELECT revoked_at FROM api_clients WHERE orchestration_id = $1', [
      onboardingId,
    ]);
    expect(rows[0].revoked_at).toBeInstanceOf(Date);
  });

  it('assigns subscriptions idempotently and unassigns them as compensation', async () => {
    const { tenantId } = await provision();
    await acts.assignSubscriptions({ tenantId, codes: ['ORDER_MANAGEMENT', 'INVOICING'] });
    await acts.assignSubscriptions({ tenantId, codes: ['ORDER_MANAGEMENT', 'INVOICING'] });
    expect(
      await count("SELECT count(*) FROM subscriptions WHERE tenant_id = $1 AND status = 'ASSIGNED'", [tenantId]),
    ).toBe(2);
    await acts.unassignSubscriptions({ tenantId, codes: ['INVOICING'] });
    const { rows } = await db.pool.query('SELECT code, status FROM subscriptions WHERE tenant_id = $1 ORDER BY code', [
      tenantId,
    ]);
    expect(rows).toEqual([
      { code: 'INVOICING', status: 'UNASSIGNED' },
      { code: 'ORDER_MANAGEMENT', status: 'ASSIGNED' },
    ]);
  });

  it('sends each mail once: approver notice, collector link, kit', async () => {
    const { onboardingId, tenantId } = await provision();
    const notice = {
      onboardingId,
      approverEmail: 'am@x.example',
      subscriptions: ['INVOICING' as const],
      tenantName: 'Acme',
      startedBy: 's@x.example',
    };
    await acts.notifyApprover(notice);
    await acts.notifyApprover(notice);

    const client = { partnerProvidedId: 'c1', name: 'C1', contactEmail: 'c1@x.example', portalUrl: portal.url };
    const link = { workflowId: 'w', onboardingId, client, attempt: 1, ttlMs: 60_000 };
    const first = await acts.issueCollectorLink(link);
    expect(await acts.issueCollectorLink(link)).toEqual(first);

    await acts.issueClientCredentials({ onboardingId, tenantId });
    const kit = {
      onboardingId,
      notifyEmail: 'ops@x.example',
      username: 'WSI_X',
      subscriptions: ['INVOICING' as const],
      ttlMs: 60_000,
    };
    // Without its integration user the kit is not prepared: no link token, no password link, no mail.
    await expect(acts.deliverKit(kit)).rejects.toThrow(/no integration user/);
    expect(
      (await db.pool.query('SELECT token_hash FROM kits WHERE onboarding_id = $1', [onboardingId])).rows[0].token_hash,
    ).toBeNull();
    await acts.createIntegrationUser({
      onboardingId,
      tenantId,
      partnerProvidedId: `kit-${onboardingId}`,
      integrationUser: startBody().integrationUser as any,
    });
    await acts.deliverKit(kit);
    await acts.deliverKit(kit);
    expect(
      await count('SELECT count(*) FROM integration_password_links WHERE onboarding_id = $1', [onboardingId]),
    ).toBe(1);
    expect(
      (await db.pool.query('SELECT token_hash FROM kits WHERE onboarding_id = $1', [onboardingId])).rows[0].token_hash,
    ).not.toBeNull();

    expect(sent.map((m) => m.to)).toEqual(['am@x.example', 'c1@x.example', 'ops@x.example']);
    expect(await count('SELECT count(*) FROM collector_links WHERE onboarding_id = $1', [onboardingId])).toBe(1);
  });

  it('classifies portal answers: 2xx connected, 401 wrong credentials, 503 a transient error', async () => {
    const onboardingId = randomUUID();
    const client = { partnerProvidedId: 'c1', name: 'C1', contactEmail: 'c1@x.example', portalUrl: portal.url };
    const submit = async (attempt: number, password: string) => {
      const { collectorLinkId } = await acts.issueCollectorLink({
        workflowId: 'w',
        onboardingId,
        client,
        attempt,
        ttlMs: 60_000,
      });
      await db.pool.query('UPDATE collector_links SET credentials_sealed = $2 WHERE id = $1', [
        collectorLinkId,
        secrets.seal(JSON.stringify({ username: 'u', password }), `collector:${collectorLinkId}`),
      ]);
      return collectorLinkId;
    };
    const right = await submit(1, 'right');
    const wrong = await submit(2, 'wrong');
    expect(await acts.checkPortalLogin({ onboardingId, collectorLinkId: right, portalUrl: portal.url })).toEqual({
      outcome: 'CONNECTED',
      errorClass: null,
    });
    expect(await acts.checkPortalLogin({ onboardingId, collectorLinkId: wrong, portalUrl: portal.url })).toEqual({
      outcome: 'WRONG_CREDENTIALS',
      errorClass: 'WRONG_CREDENTIALS',
    });
    portal.setUnavailable(true);
    expect(await acts.checkPortalLogin({ onboardingId, collectorLinkId: right, portalUrl: portal.url })).toEqual({
      outcome: 'TRANSIENT',
      errorClass: 'HTTP_5XX',
      status: 503,
    });
    portal.setUnavailable(false);
  });

  it('projects only newer views, and queues each status transition as one webhook', async () => {
    const body = startBody();
    const onboardingId = randomUUID();
    const state = new OnboardingState(
      {
        onboardingId,
        request: { ...body, clients: [], notify: { email: 'o@x.example', webhookUrl: 'http://127.0.0.1:9/h' } } as any,
        approverEmail: 'am@x.example',
        startedBy: { userId: randomUUID(), email: 's@x.example' },
        policy: {} as any,
        approval: { stages: {}, techAmEmail: null, escalateTo: [] },
      },
      'w',
    );
    const notify = { email: 'o@x.example', webhookUrl: 'http://127.0.0.1:9/h' };
    const older = JSON.parse(JSON.stringify(state.view));
    state.setStatus('AWAITING_APPROVAL');
    await acts.recordProgress({ view: state.view, transitions: state.transitions, notify });
    await acts.recordProgress({ view: state.view, transitions: state.transitions, notify });
    await acts.recordProgress({ view: older, transitions: [], notify });
    const { rows } = await db.pool.query('SELECT status, version FROM onboardings WHERE id = $1', [onboardingId]);
    expect(rows[0]).toEqual({ status: 'AWAITING_APPROVAL', version: state.view.version });
    const hooks = await db.pool.query(
      "SELECT id, payload->'data'->>'status' AS status FROM webhook_deliveries WHERE onboarding_id = $1 ORDER BY id",
      [onboardingId],
    );
    expect(hooks.rows).toEqual([
      { id: `${onboardingId}.1`, status: 'RUNNING' },
      { id: `${onboardingId}.2`, status: 'AWAITING_APPROVAL' },
    ]);
  });
});
