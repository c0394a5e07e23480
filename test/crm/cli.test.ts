// `salestrace role add|grant|assign|list` and `user add --role`, run as the command line runs
// them (test/cli/inProcess.ts) against the running server's data directory, then checked
// through the REST API.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findUserByLogin } from '../../src/auth/users.js';
import { runCli } from '../cli/inProcess.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok } from './helpers.js';

let server: TestServer;

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  // The command opens the same database as the server (SQLite file or PostgreSQL URL).
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

it('creates roles, grants levels and gives users roles', async () => {
  expect(await cli('role', 'add', '--name', 'Sales')).toMatchObject({ code: 0, stdout: 'role 1 (Sales) added\n' });
  expect((await cli('role', 'add', '--name', 'Sales')).stderr).toContain('a role named "Sales" already exists');
  expect((await cli('role', 'grant', '--role', 'Sales', '--type', 'deal', '--action', 'all', '--level', 'own')).code).toBe(0);
  expect((await cli('role', 'grant', '--role', '1', '--type', 'LEAD', '--action', 'read', '--level', 'ALL')).code).toBe(0);
  expect((await cli('role', 'grant', '--role', 'Sales', '--type', 'order', '--action', 'read', '--level', 'ALL')).stderr).toContain('--type must be one of');
  expect((await cli('role', 'grant', '--role', 'Sales', '--type', 'deal', '--action', 'read', '--level', 'some')).stderr).toContain('--level must be NONE, OWN or ALL');

  // A missing role is refused before the user is created.
  const refused = await cli('user', 'add', '--login', 'ghost', '--role', 'Nobody');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('no role "Nobody"');
  expect(await findUserByLogin(server.services.db, 'ghost')).toBeUndefined();

  const added = await cli('user', 'add', '--login', 'anna', '--name', 'Anna', '--role', 'Sales');
  expect(added).toMatchObject({ code: 0, stdout: 'user 2 (anna) added with role Sales\n' });
  const hook = await cli('webhook', 'add', '--user', '2', '--scope', 'crm', '--code', 'annaSecret123456', '--base-url', server.httpUrl);
  const base = hook.stdout.trim();
  expect(base).toBe(`${server.httpUrl}/rest/2/annaSecret123456/`);

  const listed = await cli('role', 'list');
  expect(listed.stdout).toContain('DEAL.READ=OWN');
  expect(listed.stdout).toContain('LEAD.READ=ALL');
  expect(listed.stdout).toMatch(/Sales .* 2\n/);

  // Anna works her own deals, reads every lead and may not add one.
  const mine = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Anna deal' } }, base);
  const foreign = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Admin deal' } });
  expect((await ok(server, 'crm.deal.list', { select: ['ID'] }, base)).map((row: any) => Number(row.ID))).toEqual([mine]);
  expect((await callJson(server, 'crm.deal.get', { id: foreign }, base)).body).toEqual({ error: '', error_description: 'Access denied.' });
  const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Lead' } });
  expect((await ok(server, 'crm.lead.get', { id: lead }, base)).TITLE).toBe('Lead');
  expect((await callJson(server, 'crm.lead.add', { fields: { TITLE: 'x' } }, base)).body).toEqual({ error: '', error_description: 'Access denied.' });

  // A second role given later widens what she may do.
  await cli('role', 'add', '--name', 'Lead writers');
  await cli('role', 'grant', '--role', 'Lead writers', '--type', 'lead', '--action', 'add', '--level', 'all');
  expect((await cli('role', 'assign', '--user', 'anna', '--role', 'Lead writers')).stdout).toBe('user 2 (anna) has role Lead writers\n');
  expect(Number.isInteger(await ok(server, 'crm.lead.add', { fields: { TITLE: 'Now allowed' } }, base))).toBe(true);
});
