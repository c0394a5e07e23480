// Two first starts at once on one empty database (two `serve` processes pointed at the same
// PostgreSQL database): exactly one creates the administrator and its webhook, and the other
// finds them instead of failing on the unique login. PostgreSQL only: several processes on one
// database is a PostgreSQL deployment, and SQLite has one server per data directory.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { ensureAdministrator } from '../../src/setup/firstStart.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { startTestServices } from '../helpers/server.js';

const ROUNDS = 5;

describe.skipIf(TEST_DIALECT !== 'postgres')('first start on PostgreSQL', () => {
  it('two processes at once create one administrator and one webhook', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const first = await startTestServices();
      // A second set of services on the same database: its own connections, as another process has.
      const config = resolveConfig({ dataDir: first.dataDir, databaseUrl: first.databaseUrl ?? undefined, logLevel: 'silent' });
      const second = await createServices(config, { log: createLogger('silent') });
      try {
        const outcomes = await Promise.allSettled([ensureAdministrator(first.services), ensureAdministrator(second)]);
        expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'fulfilled'))).toEqual(['fulfilled', 'fulfilled']);
        const created = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.created);
        expect(created).toHaveLength(1);
        const users = await first.services.db.selectFrom('users').select(['id', 'login']).execute();
        expect(users).toEqual([{ id: 1, login: 'admin' }]);
        const webhooks = await first.services.db.selectFrom('webhooks').select('user_id').execute();
        expect(webhooks).toEqual([{ user_id: 1 }]);
      } finally {
        await second.close();
        await first.close();
      }
    }
  });
});
