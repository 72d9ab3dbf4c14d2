import path from 'node:path';
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
 * The approver inbox end to end in headless Chromium: the approval mail's link opens its task, which
 * says what is being approved; a comment being typed survives a reload and an expired access token;
 * a task is delegated, another rejected after a confirmation with focus kept in place, and it shows
 * under "Decided by me". UPDATE_SCREENSHOTS=1 saves docs/screenshots/inbox.png.
 */
describe('approver inbox in Chromium', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('opens the mailed task, keeps drafts, delegates, rejects with a confirmation, and lists what I decided', async () => {
    const staff = await stack.addUser('staff', { email: 'dana.staff@gangway.example' });
    const password = 'correct horse battery staple';
    const approver = await stack.addUser('approver', { email: 'alex.am@gangway.example', password });
    const colleague = await stack.addUser('approver', { email: 'sam.am@gangway.example' });
    const started = await stack.http('POST', '/v1/onboardings', {
      token: staff.token,
      body: startBody({
        approverEmail: approver.email,
        tenant: { partnerProvidedId: 'acme-001', name: 'Acme Shipping', plan: 'TRADE' },
        integrationUser: {
          email: 'api@acme.example',
          integrationSystem: 'SAP S/4HANA',
          scope: 'TENANT',
          invoiceDataAccess: true,
        },
        subscriptions: ['ORDER_MANAGEMENT', 'INVOICING'],
      }),
    });
    const id: string = started.body.id;
    await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');

    // The approval mail links each subscription's task.
    const mail = await stack.mail.waitFor(
      (m) => m.to.includes(approver.email) && m.subject.startsWith('Approval needed: API subscriptions'),
    );
    const link = new RegExp(`INVOICING: (\\S+/inbox#task-${id}-INVOICING)`).exec(mail.text)?.[1];
    expect(link).toBe(`${stack.url}/inbox#task-${id}-INVOICING`);

    const page = await browser.newPage();
    await page.goto(link!);
    await page.getByLabel('Email').fill(approver.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();

    // Straight to the linked task, focused, with what it is about.
    const invoicing = page.locator(`#task-${id}-INVOICING`);
    await invoicing.waitFor();
    await pageCondition(page, `document.activeElement?.id === 'task-${id}-INVOICING'`);
    const facts = await invoicing.innerText();
    expect(facts).toMatch(/Customer\s+Acme Shipping \(acme-001\) · plan TRADE/);
    expect(facts).toMatch(/Requested subscriptions\s+ORDER_MANAGEMENT \(pending\), INVOICING \(this one\)/);
    expect(facts).toMatch(/Invoice data access\s+yes/);
    expect(facts).toMatch(/Asked by\s+dana\.staff@gangway\.example, \d+ s ago/);
    expect(facts).toMatch(/Escalates\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(facts).toMatch(/Expires\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);

    // A comment being typed survives a reload (the session too: the tokens live in this tab).
    const orderComment = page.getByLabel('Comment on ORDER_MANAGEMENT for Acme Shipping');
    await orderComment.fill('Volumes checked with the customer');
    await page.getByLabel('Comment on INVOICING for Acme Shipping').fill('Not in their contract');
    await page.reload();
    await expect(orderComment.inputValue()).resolves.toBe('Volumes checked with the customer');
    if (process.env.UPDATE_SCREENSHOTS)
      await page.screenshot({ fullPage: true, path: path.join(SCREENSHOTS, 'inbox.png') });

    // An access token that no longer works is refreshed with the refresh token, and the call goes through.
    await page.evaluate('sessionStorage.setItem("gangway.accessToken", "expired.or.revoked")');
    const orderCard = page.locator(`#task-${id}-ORDER_MANAGEMENT`);
    await orderCard.getByText('Delegate…').click();
    await orderCard.getByLabel('Delegate to (email)').fill(colleague.email);
    await orderCard.getByLabel('Reason').fill('On leave until Monday');
    await orderCard.getByRole('button', { name: 'Delegate ORDER_MANAGEMENT for Acme Shipping' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `ORDER_MANAGEMENT for Acme Shipping: delegated to ${colleague.email}` })
      .waitFor();
    expect(await page.evaluate('sessionStorage.getItem("gangway.accessToken")')).not.toBe('expired.or.revoked');
    await expect(orderCard.innerText()).resolves.toMatch(/Delegated\s+to sam\.am@gangway\.example/);
    await expect(orderComment.inputValue()).resolves.toBe('Volumes checked with the customer');
    const delegated = await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token });
    expect(delegated.body.approvals[0]).toMatchObject({
      subscription: 'ORDER_MANAGEMENT',
      delegateEmail: colleague.email,
    });
    // The delegate's mail links straight to the task too.
    await stack.mail.waitFor(
      (m) => m.to.includes(colleague.email) && m.text.includes(`${stack.url}/inbox#task-${id}-ORDER_MANAGEMENT`),
    );
    const colleagueTasks = await stack.http('GET', '/v1/approvals', { token: colleague.token });
    expect(colleagueTasks.body.items.map((t: any) => t.subscription)).toEqual(['ORDER_MANAGEMENT']);

    // Reject asks first; keeping it pending changes nothing.
    const reject = page.getByRole('button', { name: 'Reject INVOICING for Acme Shipping' });
    await reject.click();
    const dialog = page.getByRole('dialog', { name: 'Reject this subscription?' });
    await expect(dialog.innerText()).resolves.toMatch(
      /Reject INVOICING for Acme Shipping\?[\s\S]*Not in their contract/,
    );
    await dialog.getByRole('button', { name: 'Keep it pending' }).click();
    await pageCondition(
      page,
      `document.activeElement?.getAttribute('aria-label') === 'Reject INVOICING for Acme Shipping'`,
    );
    expect((await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token })).body.approvals[1].status).toBe(
      'PENDING',
    );
    await reject.click();
    await dialog.getByRole('button', { name: 'Yes, reject' }).click();
    await page.getByRole('status').filter({ hasText: 'INVOICING for Acme Shipping: rejected' }).waitFor();
    await pageCondition(page, `!document.getElementById('task-${id}-INVOICING')`);
    // Focus stays where it was: on the same control of the task now in that place.
    await pageCondition(
      page,
      `document.activeElement?.getAttribute('aria-label') === 'Reject ORDER_MANAGEMENT for Acme Shipping'`,
    );
    const rejected = await stack.http('GET', `/v1/onboardings/${id}`, { token: staff.token });
    expect(rejected.body.approvals[1]).toMatchObject({
      subscription: 'INVOICING',
      status: 'REJECTED',
      decidedBy: approver.email,
      comment: 'Not in their contract',
    });

    await page.getByRole('tab', { name: 'Decided by me' }).click();
    const done = page.locator(`#done-${id}-INVOICING`);
    await expect(done.innerText()).resolves.toMatch(
      /You rejected\s+.*UTC · “Not in their contract”[\s\S]*Now\s+rejected/,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByRole('tab', { name: /Waiting for me/ }).click();

    // The same tab (the session lives in its sessionStorage) on a phone.
    await page.setViewportSize(PHONE);
    await page.locator(`#task-${id}-ORDER_MANAGEMENT`).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await fitsWidth(page, `#task-${id}-ORDER_MANAGEMENT button[data-role=approve]`)).toBe(true);
    expect(await fitsWidth(page, `#task-${id}-ORDER_MANAGEMENT button[data-role=reject]`)).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    expect(page.cspViolations).toEqual([]);
    await page.setViewportSize({ width: 1100, height: 760 });

    // The draft is still there, and is the approval's comment.
    await page.getByRole('button', { name: 'Approve ORDER_MANAGEMENT for Acme Shipping' }).click();
    await page.getByText('Nothing waits for you.').waitFor();
    const view = await stack.waitForOnboarding(id, staff.token, (v) => v.status === 'COMPLETED');
    expect(view.approvals[0]).toMatchObject({ status: 'APPROVED', comment: 'Volumes checked with the customer' });

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(
      await page.evaluate(
        '[localStorage.length, sessionStorage.getItem("gangway.accessToken"), sessionStorage.length]',
      ),
    ).toEqual([0, null, 0]);
  });
});
