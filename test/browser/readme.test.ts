// README, "Tracking a website" (the loader snippet subsection), followed from nothing: the commands as written (with the test's
// addresses for example.com and crm.example.com), the printed loader on every page, the
// documented form hook, and a visitor from the newsletter in Chromium.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runCli } from '../cli/inProcess.js';
import { ROOT } from '../cli/spawn.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { arriveFromSearch, hasChromium, launchChromium, screenshot, startSite, type TestSite, newContext } from './harness.js';

/** README, "Tracking a website", its subsection on the loader snippet. */
function section(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf("### The loader snippet and the visitor's browser");
  expect(start).toBeGreaterThan(readme.indexOf('## Tracking a website'));
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

function blocks(language: string): string[] {
  return [...section().matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]);
}

/** A command line split as the shell would split these simple ones (double quotes only). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]);
}

describe.skipIf(!hasChromium)('README: Tracking a website', { timeout: 180_000 }, () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;
  let loader = '';
  let hook = '';

  beforeAll(async () => {
    server = await startTestServer();
    site = await startSite(() => loader);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('the commands, the printed loader and the form hook work as written', async () => {
    const [serveBlock, setupBlock] = blocks('sh');
    expect(serveBlock.trim()).toBe('./bin/salestrace serve --public-url https://crm.example.com');
    const ours = (text: string) => text.replaceAll('https://example.com/', `${site.origin}/`).replaceAll('https://crm.example.com', server.httpUrl);
    const printed: string[] = [];
    for (const line of setupBlock.trim().split('\n')) {
      const [binary, ...args] = words(ours(line));
      expect(binary).toBe('./bin/salestrace');
      const result = await runCli([...args, '--data', server.dataDir]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      printed.push(result.stdout);
    }
    // `site snippet` takes no --data; it printed the README's loader and hook for our address.
    const [readmeLoader, readmeHook] = blocks('html');
    const snippet = printed[2];
    expect(snippet).toBe(`${ours(readmeLoader).trim()}\n\n<!-- Optional: every form with a hidden TRACE or trace field gets the visitor's trace on submit -->\n${readmeHook.trim()}\n`);
    loader = ours(readmeLoader);
    hook = readmeHook;

    const posted: string[] = [];
    site.posts.set('/contact', async (form) => {
      posted.push(form.get('TRACE') ?? '');
      return { title: 'Thanks', body: '<h1>Thanks</h1>' };
    });
    site.pages.set('/', {
      title: 'Example',
      body:
        '<h1>Example</h1><p id="call">Call +7 (495) 000-00-00 or mail info@example.com</p>' +
        `<form method="post" action="/contact"><input type="hidden" name="TRACE"><input name="NAME" value="Ann"><button id="send">Send</button></form>${hook}`,
    });
    const context = await newContext(browser);
    const page = await context.newPage();
    await arriveFromSearch(page, site, `${site.origin}/?utm_source=newsletter`);
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#call a') !== null);
    await screenshot(page, 'readme-site');
    expect(await page.innerHTML('#call')).toBe(
      'Call <a href="tel:+74951112233">+74951112233</a> or mail <a href="mailto:news@example.com">news@example.com</a>',
    );
    await Promise.all([page.waitForURL(`${site.origin}/contact`), page.click('#send')]);
    expect(posted).toHaveLength(1);
    const trace = JSON.parse(posted[0]);
    expect(trace.tags.list).toEqual({ utm_source: 'newsletter' });
    expect(trace.pages.list.map((item: unknown[]) => item[0])).toEqual([`${site.origin}/?utm_source=newsletter`]);
    expect(trace.ref).toBe(`${site.searchOrigin}/`);
    await context.close();
  });
});
