import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  fitsWidth,
  horizontalOverflow,
  openBrowser,
  PHONE,
  SCREENSHOTS,
  seriousAccessibilityViolations,
  type Browser,
  pageCondition,
} from '../support/browser';
import { startBody, startStack, type Stack } from '../support/stack';

/**
 * The staff console end to end in headless Chromium: the list with its filters, chips, chart and
 * percentiles; one onboarding's steps, approvals and audit trail; cancelling through the page. Every
 * page passes axe-core without serious findings, fits a phone, and trips no CSP refusal.
 * UPDATE_SCREENSHOTS=1 (npm run screenshots) saves the pages to docs/screenshots/.
 */
describe('staff console in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const password = 'correct horse battery staple';
  let staff: { id: string; email: string; token: string };
  let approver: { id: string; email: string; token: string };
  let completedId: string;
  let waitingId: string;

  beforeAll(async () => {
    stack = await startStack();
    browser = await openBrowser();
    staff = await stack.addUser('staff', { email: 'dana.staff@gangway.example', password });
    approver = await stack.addUser('approver', { email: 'alex.am@gangway.example' });

    // One onboarding that completes (for the chart and the percentiles), one that waits for its approver.
    const first = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({
        approverEmail: approver.email,
        tenant: { partnerProvidedId: 'acme-001', name: 'Acme Shipping', plan: 'TRADE' },
        subscriptions: ['ORDER_MANAGEMENT'],
      }),
    });
    completedId = first.body.id;
    await stack.waitForOnboarding(completedId, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    const approved = await stack.http('POST', `/v1/onboardings/${completedId}/approvals`, {
      token: approver.token,
      body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE', comment: 'Volumes checked' },
    });
    expect(approved.status).toBe(200);
    await stack.waitForOnboarding(completedId, staff.token, (v) => v.status === 'COMPLETED');

    const second = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({
        approverEmail: approver.email,
        tenant: { partnerProvidedId: 'boreal-002', name: 'Borealis Freight', plan: 'TRADE' },
        subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'],
      }),
    });
    waitingId = second.body.id;
    await stack.waitForOnboarding(waitingId, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function logIn(page: Page) {
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  const screenshot = async (page: Page, name: string) => {
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ fullPage: true, path: path.join(SCREENSHOTS, name) });
  };

  it('answers the aggregates to staff only: every day of the window, outcomes, and time to complete', async () => {
    const stats = await stack.http('GET', '/v1/stats/onboardings?days=7', { token: staff.token });
    expect(stats.status).toBe(200);
    expect(stats.body.days).toHaveLength(7);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats.body.days[6]).toEqual({
      day: today,
      counts: { COMPLETED: 1, REJECTED: 0, CANCELLED: 0, FAILED: 0, OPEN: 1 },
    });
    expect(stats.body.timeToComplete.count).toBe(1);
    expect(stats.body.timeToComplete.p50Seconds).toBeGreaterThanOrEqual(0);
    expect(stats.body.timeToComplete.p99Seconds).toBe(stats.body.timeToComplete.p50Seconds);
    expect((await stack.http('GET', '/v1/stats/onboardings', { token: approver.token })).status).toBe(403);
    expect((await stack.http('GET', '/v1/stats/onboardings?days=0', { token: staff.token })).status).toBe(400);
  });

  it('serves its pages under a CSP without inline code, their files from the product with SRI hashes', async () => {
    for (const page of ['/console', `/console/onboardings/${waitingId}`, '/inbox']) {
      const res = await stack.http('GET', page);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy');
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const files = [...res.text.matchAll(/(?:src|href)="(\/ui\/[^"]+)" integrity="(sha384-[^"]+)"/g)];
      expect(files.map((f) => f[1]).sort()).toEqual(
        page === '/inbox' ? ['/ui/inbox.js', '/ui/ui.css'] : ['/ui/console.js', '/ui/ui.css'],
      );
      expect(res.text).not.toMatch(/<script>|<style>|https?:\/\//);
    }
    expect((await stack.http('GET', '/ui/nothing.js')).status).toBe(404);
  });

  it('lists the onboardings with chips, filters them, and charts their outcomes', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/console`);
    await logIn(page);
    const rows = page.locator('#onboardings tbody tr');
    await rows.nth(1).waitFor();
    await expect(rows.nth(0).innerText()).resolves.toMatch(/Borealis Freight \(boreal-002\)[\s\S]*awaiting approval/);
    await expect(rows.nth(1).innerText()).resolves.toMatch(/Acme Shipping \(acme-001\)[\s\S]*completed/);
    await page.locator('#chart svg[role=img] rect').first().waitFor();
    await expect(page.locator('#chart-legend').innerText()).resolves.toMatch(/completed 1[\s\S]*open 1/);
    await expect(page.locator('#percentiles').innerText()).resolves.toMatch(/Completed\s+1 in 30 days[\s\S]*p50/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-list.png');

    await page.getByLabel('Tenant (name or id)').fill('borea');
    await page.getByRole('button', { name: 'Filter' }).click();
    await pageCondition(page, "document.querySelectorAll('#onboardings tbody tr').length === 1");
    await expect(rows.nth(0).innerText()).resolves.toContain('Borealis Freight');
    await page.getByLabel('Tenant (name or id)').fill('');
    await page.getByLabel('Status').selectOption('COMPLETED');
    await page.getByRole('button', { name: 'Filter' }).click();
    await pageCondition(page, "document.querySelector('#onboardings tbody tr')?.innerText.includes('Acme')");
    expect(await rows.count()).toBe(1);
    expect(new URL(page.url()).search).toBe('?status=COMPLETED');

    // The same tab (the session lives in its sessionStorage) on a phone.
    await page.setViewportSize(PHONE);
    await page.goto(`${stack.url}/console`);
    await page.locator('#onboardings tbody tr').nth(1).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await fitsWidth(page, '#filters button')).toBe(true);
    expect(await fitsWidth(page, '#onboardings tbody tr a')).toBe(true);
    expect(page.cspViolations).toEqual([]);
    await page.close();
  });

  it("opens an onboarding's page: steps with durations, approvals and their audit trail, then cancels it", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/console`);
    await logIn(page);
    await page.getByRole('link', { name: 'Borealis Freight' }).click();
    await page.waitForURL(`**/console/onboardings/${waitingId}`);
    await page.getByRole('heading', { name: /Borealis Freight \(boreal-002\) awaiting approval/ }).waitFor();

    const steps = page.locator('#timeline tbody tr');
    await expect(steps.count()).resolves.toBe(8);
    await expect(steps.nth(0).innerText()).resolves.toMatch(/CREATE_TENANT\s+done\s+.*UTC\s+.*UTC\s+\d+ s/);
    await expect(steps.nth(3).innerText()).resolves.toMatch(/REQUEST_APPROVAL\s+running[\s\S]*so far/);
    await expect(page.locator('#approvals tbody tr').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/ORDER_MANAGEMENT\s+pending\s+alex\.am@gangway\.example/),
      expect.stringMatching(/INVOICING\s+pending\s+alex\.am@gangway\.example/),
    ]);
    const audit = page.locator('#audit tbody tr');
    await expect(audit.nth(0).innerText()).resolves.toMatch(/dana\.staff@gangway\.example\s+onboarding started/);
    await expect(audit.allInnerTexts()).resolves.toContainEqual(
      expect.stringMatching(/assigned\s+ORDER_MANAGEMENT\s+subscription requested/),
    );
    await page.getByText('This onboarding has no clients to connect.').waitFor();
    // What the state allows: cancel, and resending the approval request; no client to retry.
    await page.getByRole('button', { name: 'Resend the approval request' }).waitFor();
    await expect(page.getByRole('button', { name: /Retry client/ }).count()).resolves.toBe(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'console-onboarding.png');

    await page.setViewportSize(PHONE);
    await page.reload();
    await page.locator('#timeline tbody tr').first().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await fitsWidth(page, 'button.danger')).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1100, height: 760 });

    await page.getByLabel('Reason').fill('Customer withdrew');
    await page.getByRole('button', { name: 'Cancel onboarding' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this onboarding?' });
    await dialog.waitFor();
    // Going back changes nothing.
    await dialog.getByRole('button', { name: 'Go back' }).click();
    await expect(dialog.isVisible()).resolves.toBe(false);
    expect((await stack.http('GET', `/v1/onboardings/${waitingId}`, { token: staff.token })).body.status).toBe(
      'AWAITING_APPROVAL',
    );
    await page.getByRole('button', { name: 'Cancel onboarding' }).click();
    await dialog.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByRole('status').filter({ hasText: 'Cancellation: done' }).waitFor();
    // The page follows the onboarding as it compensates and ends.
    await page.getByRole('heading', { name: /Borealis Freight \(boreal-002\) cancelled/ }).waitFor({ timeout: 30_000 });
    await page.getByText('Nothing to do: this onboarding has ended.').waitFor();
    const view = await stack.waitForOnboarding(waitingId, staff.token, (v) => v.status === 'CANCELLED');
    expect(view.reason).toContain('Customer withdrew');
    expect(page.cspViolations).toEqual([]);
    await page.close();
  });

  it('tells an approver that the console is for staff', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.url}/console`);
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    const login = await stack.addUser('approver', { email: 'jo.am@gangway.example', password });
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The console is for onboarding staff' }).waitFor();
    await expect(page.locator('#onboardings').isVisible()).resolves.toBe(false);
    await page.close();
  });
});
