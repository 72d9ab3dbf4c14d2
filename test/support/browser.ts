import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's headless Chromium (no browser download) for the page tests: a fresh profile per file,
 * axe-core's accessibility rules, the CSP's refusals, and the phone-sized layout check.
 */
export interface Browser {
  context: BrowserContext;
  /** A page that records every Content-Security-Policy refusal it meets. */
  newPage(viewport?: { width: number; height: number }): Promise<Page & { cspViolations: string[] }>;
  close(): Promise<void>;
}

export const PHONE = { width: 375, height: 667 };
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');

export async function openBrowser(): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'gangway-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
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
    viewport: { width: 1100, height: 760 },
  });
  return {
    context,
    async newPage(viewport) {
      const page = Object.assign(await context.newPage(), { cspViolations: [] as string[] });
      if (viewport) await page.setViewportSize(viewport);
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) page.cspViolations.push(message.text());
      });
      return page;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical findings on the page as it is now. The source goes in by the DevTools
 * protocol (page.evaluate), which the page's CSP does not govern: the CSP itself stays on.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, not a function: this file is compiled without the DOM's types.
  const violations: { id: string; impact: string; nodes: string[] }[] = await page.evaluate(`
    axe.run(document, { resultTypes: ['violations'] }).then((result) =>
      result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

/** How far the page scrolls sideways (0 when it fits the viewport's width). */
export const horizontalOverflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

/** Whether the element lies within the viewport's width once scrolled to (a control cut off at the side is lost). */
export async function fitsWidth(page: Page, selector: string): Promise<boolean> {
  const locator = page.locator(selector).first();
  await locator.scrollIntoViewIfNeeded();
  const box = await locator.boundingBox();
  const width = page.viewportSize()!.width;
  return !!box && box.x >= 0 && box.x + box.width <= width;
}

/**
 * Waits until the expression is true in the page. page.waitForFunction polls with eval inside the page,
 * which the pages' CSP (no 'unsafe-eval') refuses whenever the first check is false; page.evaluate goes
 * by the DevTools protocol, which the CSP does not govern, so the polling happens from here instead.
 */
export async function pageCondition(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
    if (Date.now() > deadline) throw new Error(`the page never met: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
