// `salestrace site snippet`, run in process through the whole command line as the binary parses it.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { loaderSnippet } from '../../src/tracker/loader.js';
import { capturedIo } from '../cli/inProcess.js';

describe('salestrace site snippet', () => {
  it('prints the loader and the form hook for --public-url', async () => {
    const captured = capturedIo();
    expect(await runCli(['site', 'snippet', '--public-url', 'https://crm.example.com/'], captured.io)).toBe(0);
    const snippet = loaderSnippet('https://crm.example.com');
    expect(captured.stdout()).toBe(
      `${snippet.loader}\n\n<!-- Optional: every form with a hidden TRACE or trace field gets the visitor's trace on submit -->\n${snippet.formHook}\n`,
    );
    expect(snippet.loader).toContain(`(window,document,"https://crm.example.com/upload/crm/tag/call.tracker.js")`);
    expect(snippet.loader).toContain("s.src=u+'?'+(Date.now()/60000|0)");
  });

  it('takes SALESTRACE_PUBLIC_URL, and --loader-only prints the script tag alone', async () => {
    const captured = capturedIo({ SALESTRACE_PUBLIC_URL: 'http://10.0.0.5:8080' });
    expect(await runCli(['site', 'snippet', '--loader-only'], captured.io)).toBe(0);
    expect(captured.stdout()).toBe(`${loaderSnippet('http://10.0.0.5:8080').loader}\n`);
  });

  it('refuses without an address, or with one that has a path', async () => {
    const none = capturedIo();
    expect(await runCli(['site', 'snippet'], none.io)).toBe(1);
    expect(none.stderr()).toBe('salestrace: give --public-url <address> (or SALESTRACE_PUBLIC_URL): the address websites reach this server at\n');
    const withPath = capturedIo();
    expect(await runCli(['site', 'snippet', '--public-url', 'https://crm.example.com/app'], withPath.io)).toBe(1);
    expect(withPath.stderr()).toBe(
      'salestrace: --public-url must be an http:// or https:// address without a path, got "https://crm.example.com/app"\n',
    );
    expect(none.stdout() + withPath.stdout()).toBe('');
  });
});
