// Runs the migrations of every module, in name order, on either dialect.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { DialectHelpers } from './dialects/types.js';
import { migrations } from './migrations/index.js';

export async function migrateToLatest(db: Kysely<unknown>, helpers: DialectHelpers): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () => {
      const built: Record<string, Migration> = {};
      for (const [name, factory] of Object.entries(migrations)) built[name] = factory(helpers);
      return built;
    },
  };
  // Each module numbers its own migrations, so a later module version may add one below an
  // already-applied number; applying it out of order is safe because modules own their tables.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? failed?.migrationName);
    throw new Error(`database migration failed: ${reason}`);
  }
}
