// Drives Debian's Chromium (never a downloaded browser) through playwright-core for the
// dashboard tests: a context per user, axe-core injected from node_modules, screenshots of
// each page at desktop and phone widths into test-artifacts/dashboard/ (gitignored).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));

export const LOCALE = 'en-US';
export const TIME_ZONE = 'UTC';

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
}

export interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every Content-Security-Policy refusal the page reported. */
  readonly cspViolations: string[];
  /** Uncaught errors in the page. */
  readonly pageErrors: string[];
}

export async function openSession(browser: Browser, width = 1280, height = 860, locale = LOCALE): Promise<Session> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale, timezoneId: TIME_ZONE, viewport: { width, height } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  return { context, page, cspViolations, pageErrors };
}

/**
 * The browser of one test file and the sessions it opens, so that its afterAll can require that
 * none saw a CSP refusal or a page error, and close the browser either way.
 */
export class TrackedSessions {
  readonly #opened: Session[] = [];
  #browser: Browser | undefined;

  async launch(): Promise<void> {
    this.#browser = await launch();
  }

  async open(width?: number, locale?: string): Promise<Session> {
    const opened = await openSession(this.#browser!, width, undefined, locale);
    this.#opened.push(opened);
    return opened;
  }

  /** Fails on any CSP violation or page error any session saw; closes the browser in any case. */
  async close(): Promise<void> {
    try {
      for (const session of this.#opened) {
        expect(session.cspViolations, 'CSP violations').toEqual([]);
        expect(session.pageErrors, 'page errors').toEqual([]);
      }
    } finally {
      await this.#browser?.close();
    }
  }
}

export async function signIn(page: Page, base: string, login: string, password: string): Promise<void> {
  await page.goto(`${base}/app/`);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Follows one of the shell's navigation links and returns once the shell has rendered that page
 * (its link is marked current). Clicking only changes the hash; the old page stays in the DOM
 * until the hashchange render, so a locator used right after a bare click can match it.
 */
export async function openPage(page: Page, title: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Pages' });
  await nav.getByRole('link', { name: title, exact: true }).click();
  const exactly = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  await nav.locator('a[aria-current="page"]', { hasText: exactly }).waitFor();
}

/** Answers of a REST method held back by holdAnswers. */
export interface HeldAnswers {
  /** Settles once the page has asked for one (its answer is then held). */
  readonly asked: Promise<void>;
  /** Lets the held answers through and waits until the page has received one. */
  release(): Promise<void>;
  /** Lets them through, if not yet, and stops holding: for a `finally`. */
  stop(): Promise<void>;
}

/**
 * Holds back the page's answers of one REST method whose requests `matches` picks, until
 * `release`: for tests that an answer a newer call overtook does not replace what is shown.
 */
export async function holdAnswers(page: Page, method: string, matches: (request: Request) => boolean): Promise<HeldAnswers> {
  const endpoint = `**/rest/${method}.json`;
  let noteAsked!: () => void;
  const asked = new Promise<void>((resolve) => (noteAsked = resolve));
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  await page.route(endpoint, async (route) => {
    if (!matches(route.request())) return route.continue();
    const response = await route.fetch();
    noteAsked();
    await released;
    await route.fulfill({ response });
  });
  return {
    asked,
    async release() {
      const answered = page.waitForResponse((response) => response.url().endsWith(`/rest/${method}.json`) && matches(response.request()));
      letGo();
      await answered;
    },
    async stop() {
      letGo();
      await page.unroute(endpoint);
    },
  };
}

/** Runs axe-core on the page as it is; fails on any serious or critical violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() => (globalThis as any).axe.run((globalThis as any).document, { resultTypes: ['violations'] }));
  const bad = (results.violations as any[])
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node: any) => node.target.join(' ')).join(', ')})`);
  expect(bad, name).toEqual([]);
}

/** Saves the page at desktop width and at 360 px; the page must not scroll sideways at 360 px. */
export async function screenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize()!;
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 360, height: 740 });
  await page.waitForTimeout(50);
  const overflowing = await page.evaluate(() => {
    const document = (globalThis as any).document;
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    // The outermost elements that reach past the right edge.
    return [...document.querySelectorAll('body *')]
      .filter((element: any) => element.getBoundingClientRect().right > width + 1)
      .filter((element: any) => !(element.parentElement.getBoundingClientRect().right > width + 1))
      .slice(0, 5)
      .map((element: any) => `${element.tagName.toLowerCase()}.${element.className} ${Math.round(element.getBoundingClientRect().right)}px`);
  });
  expect(overflowing, `${name} scrolls sideways at 360 px`).toEqual([]);
  // The top of the page: long lists at 360 px run to thousands of pixels.
  const height = await page.evaluate(() => (globalThis as any).document.documentElement.scrollHeight);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-360.png`), fullPage: true, clip: { x: 0, y: 0, width: 360, height: Math.min(height, 1400) } });
  await page.setViewportSize(before);
}
