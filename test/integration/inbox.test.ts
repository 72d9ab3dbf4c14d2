import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startBody, startStack, type Stack } from '../support/stack';

/**
 * The approver inbox end to end in Debian's headless Chromium (no browser download): log in, see the
 * pending task, approve it with a comment, and watch the onboarding move on. UPDATE_SCREENSHOTS=1
 * saves the inbox as docs/inbox.png for the README.
 */
describe('approver inbox in Chromium', () => {
  let stack: Stack;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    stack = await startStack();
    profile = await mkdtemp(path.join(os.tmpdir(), 'gangway-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1100, height: 720 },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('logs in, approves a pending task with a comment, and the onboarding moves on', async () => {
    const staff = await stack.addUser('staff', { email: 'dana.staff@gangway.example' });
    const password = 'correct horse battery staple';
    const approver = await stack.addUser('approver', { email: 'alex.am@gangway.example', password });
    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({
        approverEmail: approver.email,
        tenant: { partnerProvidedId: 'acme-001', name: 'Acme Shipping', plan: 'TRADE' },
        subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'],
      }),
    });
    const id = started.body.id;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');

    const page = await browser.newPage();
    await page.goto(`${stack.url}/inbox`);
    await page.getByLabel('Email').fill(approver.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();

    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const rows = page.locator('#tasks tbody tr');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const row = rows.filter({ hasText: 'ORDER_MANAGEMENT' });
    await expect(row.innerText()).resolves.toMatch(
      /Acme Shipping \(acme-001\)[\s\S]*ORDER_MANAGEMENT[\s\S]*dana\.staff@gangway\.example[\s\S]*\d+ s/,
    );
    // The token lives in this tab's sessionStorage, never in localStorage.
    expect(await page.evaluate('[localStorage.length, !!sessionStorage.getItem("gangway.accessToken")]')).toEqual([
      0,
      true,
    ]);

    await page.getByLabel('Comment on ORDER_MANAGEMENT for Acme Shipping').fill('Volumes checked with the customer');
    if (process.env.UPDATE_SCREENSHOTS)
      await page.screenshot({ fullPage: true, path: path.join(__dirname, '..', '..', 'docs', 'inbox.png') });
    await page.getByRole('button', { name: 'Approve ORDER_MANAGEMENT for Acme Shipping' }).click();
    await page.getByRole('status').filter({ hasText: 'ORDER_MANAGEMENT for Acme Shipping: approved' }).waitFor();
    await page.waitForFunction("document.querySelectorAll('#tasks tbody tr').length === 1");

    await page.getByLabel('Comment on INVOICING for Acme Shipping').fill('Not in their contract');
    await page.getByRole('button', { name: 'Reject INVOICING for Acme Shipping' }).click();
    await page.getByText('Nothing waits for you.').waitFor();

    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(view.approvals.map((a: any) => [a.subscription, a.status, a.decidedBy, a.comment])).toEqual([
      ['ORDER_MANAGEMENT', 'APPROVED', approver.email, 'Volumes checked with the customer'],
      ['INVOICING', 'REJECTED', approver.email, 'Not in their contract'],
    ]);
    expect(view.subscriptions).toEqual([
      { code: 'ORDER_MANAGEMENT', status: 'ASSIGNED' },
      { code: 'INVOICING', status: 'REJECTED' },
    ]);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await page.evaluate('sessionStorage.getItem("gangway.accessToken")')).toBeNull();
  });
});
