// The browser tests' world: a Salestrace test server, a small website on its own loopback
// address (127.0.0.2) whose pages carry the loader snippet, a search page that links to it, and
// Debian's Chromium driven by playwright-core (never a downloaded browser). Chromium resolves
// shop.test and search.test to the website, so hosts and referrers look like the real thing.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

export interface SitePage {
  readonly title: string;
  readonly body: string;
}

export interface TestSite {
  readonly port: number;
  /** `http://shop.test:<port>` */
  readonly origin: string;
  /** `http://search.test:<port>` */
  readonly searchOrigin: string;
  /** Pages by path (without the query); change them between visits as needed. */
  readonly pages: Map<string, SitePage>;
  /** The site's own back end: form posts by path, answered with a page. */
  readonly posts: Map<string, (form: URLSearchParams) => Promise<SitePage>>;
  close(): Promise<void>;
}

function html(page: SitePage, head: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${page.title}</title>${head}</head><body>${page.body}</body></html>`;
}

/** Serves `pages` on 127.0.0.2 with `head` (the loader snippet) in every page; search.test gets a plain page of links. */
export async function startSite(head: () => string): Promise<TestSite> {
  const pages = new Map<string, SitePage>();
  const posts = new Map<string, (form: URLSearchParams) => Promise<SitePage>>();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    const host = (request.headers.host ?? '').split(':')[0];
    const post = request.method === 'POST' ? posts.get(url.pathname) : undefined;
    if (post) {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        post(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))).then(
          (page) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(page, '')),
          (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error.stack)),
        );
      });
      return;
    }
    const page = host === 'search.test' ? { title: 'Search', body: decodeURIComponent(url.searchParams.get('links') ?? '') } : pages.get(url.pathname);
    if (!page) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html(page, host === 'search.test' ? '' : head()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: `http://shop.test:${port}`,
    searchOrigin: `http://search.test:${port}`,
    pages,
    posts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: BROWSER_TIMEOUT_MS,
    headless: true,
    chromiumSandbox: false,
    args: ['--host-resolver-rules=MAP shop.test 127.0.0.2, MAP search.test 127.0.0.2', '--disable-gpu', '--no-first-run'],
  });
}

/** Generous waits: the whole suite may share two cores with this browser. */
export const BROWSER_TIMEOUT_MS = 60_000;

/** For expect.poll: what the browser sends may take a while on a busy machine. */
export const POLL = { timeout: BROWSER_TIMEOUT_MS, interval: 100 };

export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(BROWSER_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(BROWSER_TIMEOUT_MS);
  return context;
}

/** Every request the page sends to /pub/guest.php, as its decoded form fields. */
export function guestRequests(context: BrowserContext): Record<string, string>[] {
  const seen: Record<string, string>[] = [];
  context.on('request', (request) => {
    if (!request.url().includes('/pub/guest.php')) return;
    const body = request.postData() ?? new URL(request.url()).search.slice(1);
    seen.push(Object.fromEntries(new URLSearchParams(body)));
  });
  return seen;
}

/** Arrives at the site by clicking a link on search.test, so the site sees an external referrer. */
export async function arriveFromSearch(page: Page, site: TestSite, target: string): Promise<void> {
  const links = encodeURIComponent(`<a id="go" href="${target}">result</a>`);
  await page.goto(`${site.searchOrigin}/?links=${links}`);
  await Promise.all([page.waitForURL(target), page.click('#go')]);
  await waitForTracker(page);
}

/** The pack has run: the guest module exists and has recorded this page. */
export async function waitForTracker(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const guest = (globalThis as any).b24Tracker?.guest;
    const pages = guest?.getPages?.();
    return Array.isArray(pages) && pages.some((item: unknown[]) => item[0] === (globalThis as any).location.href);
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
