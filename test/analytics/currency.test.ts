// The account currency and the conversion rates: their defaults, the CLI that sets them, and
// the conversion the reports and expenses use.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCurrencySettings, toAccountCurrency } from '../../src/analytics/currency.js';
import { runCli } from '../cli/inProcess.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

async function cli(...args: string[]) {
  const url = server.services.config.databaseUrl;
  const where = url ? ['--data', server.dataDir, '--database-url', url] : ['--data', server.dataDir];
  return runCli([...args, ...where]);
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

it('converts with the configured rates and passes the account currency through', () => {
  const settings = { account: 'USD', rates: { EUR: 1.1 } };
  expect(toAccountCurrency(10, 'USD', settings)).toBe(10);
  expect(toAccountCurrency(10, '', settings)).toBe(10);
  expect(toAccountCurrency(10, 'usd', settings)).toBe(10);
  expect(toAccountCurrency(10, 'EUR', settings)).toBeCloseTo(11, 10);
  expect(toAccountCurrency(10, 'GBP', settings)).toBeNull();
});

it('defaults to USD without rates, and the CLI changes both', async () => {
  expect(await loadCurrencySettings(server.services.db)).toEqual({ account: 'USD', rates: {} });
  expect(await cli('analytics', 'settings')).toMatchObject({ code: 0, stdout: 'account currency: USD\nrates: (none)\n' });

  const set = await cli('analytics', 'settings', '--account', 'eur', '--rate', 'usd=0.9', '--rate', 'GBP=1.17');
  expect(set).toMatchObject({ code: 0, stdout: 'account currency: EUR\nrate: 1 GBP = 1.17 EUR\nrate: 1 USD = 0.9 EUR\n' });
  expect(await loadCurrencySettings(server.services.db)).toEqual({ account: 'EUR', rates: { USD: 0.9, GBP: 1.17 } });

  const removed = await cli('analytics', 'settings', '--remove-rate', 'GBP');
  expect(removed.stdout).toBe('account currency: EUR\nrate: 1 USD = 0.9 EUR\n');

  const bad = await cli('analytics', 'settings', '--rate', 'USD=0');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('--rate must be CUR=number with a number above 0');
  const badAccount = await cli('analytics', 'settings', '--account', 'dollars');
  expect(badAccount.code).toBe(1);
  expect(badAccount.stderr).toContain('--account must be a three-letter currency code');
  expect(await loadCurrencySettings(server.services.db)).toEqual({ account: 'EUR', rates: { USD: 0.9 } });
});
