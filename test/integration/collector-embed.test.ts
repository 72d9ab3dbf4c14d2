import http from 'node:http';
import type { Frame, Page } from 'playwright-core';
import { startPortalStub, type PortalStub } from '../../infra/portal-stub';
import { openBrowser, pageCondition, type Browser } from '../support/browser';
import { linkIn, startBody, startStack, type Stack } from '../support/stack';
import { pollUntil } from '../support/wait';

/** A partner's product on its own origin: a page that frames the URL it is given and records what it is told. */
interface PartnerSite {
  origin: string;
  /** The partner's page framing `src`. */
  pageFraming(src: string): string;
  close(): Promise<void>;
}

async function startPartnerSite(): Promise<PartnerSite> {
  const server = http.createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://partner').searchParams.get('src') ?? 'about:blank';
    const attribute = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Partner product</title>
<script>
  window.messages = [];
  window.addEventListener('message', (event) => window.messages.push({ origin: event.origin, data: event.data }));
</script></head>
<body><h1>Connect your portal</h1><iframe id="collector" title="Portal credentials" src="${attribute}" width="600" height="500"></iframe></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    origin,
    pageFraming: (src) => `${origin}/?src=${encodeURIComponent(src)}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * PortalDuct's embedded collector in headless Chromium: a partner origin its tenant allows frames the collector
 * and hears the outcome by postMessage addressed to it alone; any other origin's frame is refused by the
 * browser (CSP frame-ancestors), and the mailed link works as before, framed by nobody.
 */
describe('the collector embedded in a partner product', () => {
  let stack: Stack;
  let browser: Browser;
  let portal: PortalStub;
  let partner: PartnerSite;
  let stranger: PartnerSite;
  let staff: { token: string };
  let onboarding: { id: string; tenantId: string; partnerProvidedId: string };
  let collectorUrl: string;

  beforeAll(async () => {
    [partner, stranger] = await Promise.all([startPartnerSite(), startPartnerSite()]);
    portal = await startPortalStub({ username: 'client7', password: 'right-password' });
    stack = await startStack();
    browser = await openBrowser();
    staff = await stack.addUser('staff');
    const approver = await stack.addUser('approver');
    const body = startBody({
      approverEmail: approver.email,
      subscriptions: ['ORDER_MANAGEMENT'],
      clients: [
        {
          partnerProvidedId: 'client-7',
          name: 'Client Seven',
          contactEmail: 'it@client7.example',
          portalUrl: portal.url,
        },
      ],
    });
    // Written the way people write it: the tenant keeps it as browsers send it.
    body.tenant = { ...body.tenant, embed: { allowedOrigins: [`${partner.origin}/`] } } as typeof body.tenant;
    const started = await stack.http('POST', '/v1/onboardings', { token: staff.token, body });
    expect(started.status).toBe(202);
    await stack.waitForOnboarding(started.body.id, staff.token, (v) => v.status === 'AWAITING_APPROVAL');
    await stack.http('POST', `/v1/onboardings/${started.body.id}/approvals`, {
      token: approver.token,
      body: { subscription: 'ORDER_MANAGEMENT', decision: 'APPROVE' },
    });
    const view = await stack.waitForOnboarding(
      started.body.id,
      staff.token,
      (v) => v.status === 'AWAITING_CREDENTIALS',
    );
    onboarding = {
      id: started.body.id,
      tenantId: view.tenant.tenantId,
      partnerProvidedId: body.tenant.partnerProvidedId,
    };
    collectorUrl = linkIn((await stack.mail.waitFor((m) => m.to.includes('it@client7.example'))).text, '/collect/');
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await portal?.close();
    await partner?.close();
    await stranger?.close();
  });

  const embedded = (origin: string) => `${collectorUrl}?embedOrigin=${encodeURIComponent(origin)}`;
  const QUICK = { timeoutMs: 5_000, intervalMs: 20 };
  const collectorFrame = (page: Page): Frame => page.frames().find((f) => f !== page.mainFrame())!;
  /** The browser refused to frame the collector: an error page in its place, the CSP directive named, no form. */
  async function expectRefusedByBrowser(page: Page & { cspViolations: string[] }, frameAncestors: string) {
    // The page's load can come before the refused frame is replaced by the error page, and before the refusal
    // is reported (CI saw the frame's URL still ""): both are waited for, not assumed.
    const errorPage = 'chrome-error://chromewebdata/';
    expect(
      await pollUntil(
        async () => collectorFrame(page).url(),
        (url) => url === errorPage,
        QUICK,
      ),
    ).toBe(errorPage);
    await pollUntil(
      async () => page.cspViolations.length,
      (n) => n > 0,
      QUICK,
    );
    expect(await collectorFrame(page).locator('#username').count()).toBe(0);
    expect(page.cspViolations).toEqual([
      expect.stringContaining(
        `violates the following Content Security Policy directive: "frame-ancestors ${frameAncestors}"`,
      ),
    ]);
  }

  it('keeps the tenant’s allowed origins as browsers write them, and refuses any that is not an https origin', async () => {
    const tenant = await stack.http('GET', `/v1/tenants/${onboarding.tenantId}`, { token: staff.token });
    expect(tenant.body.embed).toEqual({ allowedOrigins: [partner.origin] });
    for (const bad of ['http://partner.example', 'https://partner.example/embed', '*']) {
      const refused = await stack.http('PATCH', `/v1/tenants/${onboarding.tenantId}`, {
        token: staff.token,
        body: { embed: { allowedOrigins: [bad] } },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ path: 'embed.allowedOrigins.0', message: expect.stringContaining(bad) }),
      ]);
    }
    const after = await stack.http('GET', `/v1/tenants/${onboarding.tenantId}`, { token: staff.token });
    expect(after.body).toMatchObject({ version: tenant.body.version, embed: { allowedOrigins: [partner.origin] } });
  });

  it('serves the mailed link framed by nobody, as before', async () => {
    const res = await fetch(collectorUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).not.toContain('<script');
    expect(html).toContain(`action="/v1/collect/${collectorUrl.split('/collect/')[1]}"`);

    // Opened on its own, the form is there; framed by the allowed partner without asking, it is refused.
    const page = await browser.newPage();
    await page.goto(collectorUrl);
    await page.getByLabel('Username').waitFor();
    await page.goto(partner.pageFraming(collectorUrl));
    await pageCondition(page, `document.getElementById('collector')`);
    await page.waitForLoadState('load');
    await expectRefusedByBrowser(page, "'none'");
    await page.close();
  });

  it('lets only an allowed origin frame it: another origin is refused by the server and by the browser, and nothing is spent', async () => {
    const notAllowed = await fetch(embedded(stranger.origin));
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(embedded('http://partner.example'))).status).toBe(400);

    // The stranger's page frames the collector naming its own origin, then pretending to be the partner.
    for (const asked of [stranger.origin, partner.origin]) {
      const page = await browser.newPage();
      await page.goto(stranger.pageFraming(embedded(asked)));
      await page.waitForLoadState('load');
      await expectRefusedByBrowser(page, asked === stranger.origin ? "'none'" : partner.origin);
      expect(await page.evaluate('window.messages')).toEqual([]);
      await page.close();
    }
    const allowed = await fetch(embedded(partner.origin));
    expect(allowed.headers.get('content-security-policy')).toContain(`frame-ancestors ${partner.origin}`);
    expect(allowed.headers.get('x-frame-options')).toBeNull();

    // A post naming an origin the tenant does not allow is refused before the link is spent.
    const post = await stack.http(
      'POST',
      `/v1/collect/${collectorUrl.split('/collect/')[1]}?embedOrigin=${encodeURIComponent(stranger.origin)}`,
      {
        body: { username: 'client7', password: 'right-password' },
      },
    );
    expect(post.status).toBe(403);
    expect(post.body.detail).toContain(`${stranger.origin} may not frame this collector`);
    expect((await fetch(collectorUrl)).status).toBe(200);
  });

  it('posts the outcome to the allowed partner’s window, addressed to its origin, and the client connects', async () => {
    const page = await browser.newPage();
    await page.goto(partner.pageFraming(embedded(partner.origin)));
    const frame = page.frameLocator('#collector');
    await frame.getByLabel('Username').fill('client7');
    await frame.getByLabel('Password').fill('right-password');
    await frame.getByRole('button', { name: 'Send credentials' }).click();
    await pageCondition(page, 'window.messages.length > 0');
    expect(await page.evaluate('window.messages')).toEqual([
      {
        origin: new URL(stack.url).origin,
        data: { type: 'gangway.collector', outcome: 'SUBMITTED', client: 'client-7' },
      },
    ]);
    await expect(frame.getByRole('status').innerText()).resolves.toMatch(/We received your credentials/);
    expect(page.cspViolations).toEqual([]);

    const view = await stack.waitForOnboarding(
      onboarding.id,
      staff.token,
      (v) => v.clients[0]?.connectivity === 'CONNECTED',
    );
    expect(view.clients[0]).toMatchObject({ partnerProvidedId: 'client-7', connectivity: 'CONNECTED' });

    // Framed again, the used link says so to the partner.
    await page.reload();
    await pageCondition(page, 'window.messages.length > 0');
    expect(await page.evaluate('window.messages')).toEqual([
      {
        origin: new URL(stack.url).origin,
        data: { type: 'gangway.collector', outcome: 'LINK_GONE', client: 'client-7' },
      },
    ]);
    await page.close();

    // The message names its receiver: the page never posts to '*'.
    const gone = await (await fetch(embedded(partner.origin))).text();
    expect(gone).toContain(`data-origin="${partner.origin}"`);
    expect(gone).not.toMatch(/postMessage\([^)]*'\*'/);
    const connected = await pollUntil(
      () => stack.http('GET', `/v1/onboardings/${onboarding.id}`, { token: staff.token }),
      (r) => r.body.status === 'COMPLETED',
    );
    expect(connected.body.status).toBe('COMPLETED');
  });
});
