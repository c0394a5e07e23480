// No timing oracle on which webhook users exist (issue 18, finding 9): a wrong secret for an
// existing user must cost the same work as any secret for a user that does not exist. Wall
// clocks are too noisy on a shared machine to show a few hundred microseconds, so this test
// records the database queries each attempt runs (through a Kysely plugin on the services'
// own database handle) and requires the same sequence for every kind of failure.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateWebhook } from '../../src/auth/authenticate.js';
import { AUTH_ERRORS } from '../../src/rest/authErrors.js';
import { withTranslation } from '../../src/rest/translation.js';
import { addUser } from '../../src/auth/users.js';
import { addWebhook } from '../../src/auth/webhooks.js';
import type { Services } from '../../src/services.js';
import { startTestServices, type TestServices } from '../helpers/server.js';

/** Each query's shape: its operation tree with every bound value left out. */
class QueryShapes implements KyselyPlugin {
  readonly shapes: string[] = [];

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.shapes.push(JSON.stringify(args.node, (_key, value) => (value?.kind === 'ValueNode' || value?.kind === 'PrimitiveValueListNode' ? '?' : value)));
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

let running: TestServices;
let adminSecret: string;
let bobSecret: string;
const now = () => Date.now() / 1000;

beforeAll(async () => {
  running = await startTestServices();
  const db = running.services.db;
  const admin = await addUser(db, { login: 'admin.timing', isAdmin: true }, now());
  const bob = await addUser(db, { login: 'bob.timing' }, now());
  await addUser(db, { login: 'carol.no-webhooks' }, now());
  adminSecret = (await addWebhook(db, { userId: admin.id, scopes: ['crm'] }, now())).secret;
  bobSecret = (await addWebhook(db, { userId: bob.id, scopes: ['crm'] }, now())).secret;
  await addWebhook(db, { userId: admin.id, scopes: ['user'] }, now());
});
afterAll(async () => {
  await running.close();
});

/** The queries one refused attempt ran, and checks that it was refused as INVALID_CREDENTIALS. */
async function queriesOf(login: string, secret: string): Promise<string[]> {
  const recorder = new QueryShapes();
  const services: Services = { ...running.services, db: running.services.db.withPlugin(recorder) };
  // The auth module refuses by kind; the REST pipeline answers it from its table.
  const attempt = withTranslation(AUTH_ERRORS, () => authenticateWebhook(services, login, secret, false, null));
  await expect(attempt).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
  return recorder.shapes;
}

describe('a refused webhook costs the same whether or not the user exists', () => {
  it('by ID: unknown user, wrong secret, another user\'s secret, a user without webhooks', async () => {
    const ids = async (login: string) => (await running.services.db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirstOrThrow()).id;
    const admin = String(await ids('admin.timing'));
    const carol = String(await ids('carol.no-webhooks'));
    const unknown = await queriesOf('999999', 'some-secret-of-16-chars');
    expect(unknown.length).toBeGreaterThan(0);
    expect(await queriesOf(admin, 'some-secret-of-16-chars')).toEqual(unknown);
    expect(await queriesOf(admin, bobSecret)).toEqual(unknown);
    expect(await queriesOf(carol, adminSecret)).toEqual(unknown);
  });

  it('by LOGIN: unknown login, wrong secret, another user\'s secret', async () => {
    const unknown = await queriesOf('nobody.here', 'some-secret-of-16-chars');
    expect(await queriesOf('admin.timing', 'some-secret-of-16-chars')).toEqual(unknown);
    expect(await queriesOf('admin.timing', bobSecret)).toEqual(unknown);
  });

  it('the right secret is still accepted', async () => {
    const caller = await authenticateWebhook(running.services, 'admin.timing', adminSecret, false, null);
    expect(caller.authType).toBe('webhook');
  });
});
