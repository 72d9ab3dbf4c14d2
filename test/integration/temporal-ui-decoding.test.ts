import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { freePort } from '../../infra/free-port';
import { findTemporalCli } from '../../infra/temporal-cli';
import { startDevServer, type DevServer } from '../../infra/temporal-dev-server';
import { startBody, startStack, type Stack } from '../support/stack';

const run = promisify(execFile);
const TENANT = 'Northwind Freight';

/**
 * The Temporal UI and CLI show an onboarding decoded, composed as `npm start` composes them: a dev
 * server with its UI pointed at the admin codec listener (CODEC_PORT, loopback), the UI's origin
 * allowed by CORS. The UI runs in Debian's headless Chromium; the CLI is the real binary, sending a
 * staff token to the API's /codec.
 */
describe('decoded payloads in the Temporal UI and CLI', () => {
  let cliPath: string;
  let server: DevServer;
  let stack: Stack;
  let browser: BrowserContext | undefined;
  let profile: string | undefined;
  let staff: { token: string };
  let workflowId: string;
  let runId: string;

  beforeAll(async () => {
    cliPath = await findTemporalCli({ projectRoot: path.join(__dirname, '..', '..') });
    const [port, uiPort, codecPort] = [await freePort(), await freePort(), await freePort()];
    server = await startDevServer({
      cliPath,
      port,
      uiPort,
      uiCodecEndpoint: `http://127.0.0.1:${codecPort}/codec`,
    });
    stack = await startStack({
      TEMPORAL_ADDRESS: server.address,
      CODEC_PORT: String(codecPort),
      CODEC_CORS_ORIGINS: server.uiUrl!,
    });
    staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const body = startBody({ approverEmail: approver.email, subscriptions: ['ORDER_MANAGEMENT'] });
    body.tenant.name = TENANT;
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(started.status).toBe(202);
    workflowId = started.body.workflowId;
    await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    runId = (await stack.temporal.workflow.getHandle(workflowId).describe()).runId;
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
    await stack?.stop();
    await server?.stop();
  });

  const show = (extra: string[]) =>
    run(
      cliPath,
      ['workflow', 'show', '--detailed', '--address', server.address, '--workflow-id', workflowId, ...extra],
      {
        timeout: 30_000,
      },
    );

  it('the CLI shows the history decoded with --codec-endpoint and a staff --codec-auth', async () => {
    const plain = await show([]);
    expect(plain.stdout).not.toContain(TENANT);
    const decoded = await show(['--codec-endpoint', `${stack.url}/codec`, '--codec-auth', `Bearer ${staff.token}`]);
    expect(decoded.stdout).toContain(TENANT);
    // Without a token the API's codec refuses (401): the CLI retries until its timeout and fails, showing nothing.
    const refused = await show(['--codec-endpoint', `${stack.url}/codec`, '--command-timeout', '5s']).then(
      ({ stdout }) => `succeeded: ${stdout}`,
      (err: Error & { stdout?: string }) => `${err.message}${err.stdout ?? ''}`,
    );
    expect(refused).toMatch(/failed/);
    expect(refused).not.toContain(TENANT);
  });

  it("the UI's workflow page shows the decoded input, with no codec error", async () => {
    profile = await mkdtemp(path.join(os.tmpdir(), 'gangway-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    const page = await browser.newPage();
    const decodes: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/codec/decode')) decodes.push(r.status());
    });
    await page.goto(`${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`);
    // The input is shown as JSON: a field name that only the decoded input holds, beside the tenant's name.
    const body = page.locator('body');
    const deadline = Date.now() + 60_000;
    let text = await body.innerText();
    while (!(text.includes(TENANT) && text.includes('integrationSystem')) && Date.now() < deadline) {
      await page.waitForTimeout(250);
      text = await body.innerText();
    }
    expect(text).toContain(TENANT);
    expect(text).toContain('integrationSystem');
    expect(text).not.toMatch(/could not connect/i);
    expect(text).not.toContain('binary/encrypted');
    expect(decodes.length).toBeGreaterThan(0);
    expect(decodes.every((status) => status === 200)).toBe(true);
  });
});
