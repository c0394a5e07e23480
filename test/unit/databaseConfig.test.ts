// The database part of the configuration: only PostgreSQL URLs are taken, and what `serve`
// prints about the database never shows a password.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeDatabase, resolveConfig } from '../../src/config.js';

describe('databaseUrl', () => {
  it('is null (SQLite) unless set, also when set to an empty value', () => {
    expect(resolveConfig({}).databaseUrl).toBeNull();
    expect(resolveConfig({}, { SALESTRACE_DATABASE_URL: '  ' }).databaseUrl).toBeNull();
  });

  it('takes postgres:// and postgresql:// URLs, the flag over the variable', () => {
    expect(resolveConfig({}, { SALESTRACE_DATABASE_URL: 'postgresql://db/crm' }).databaseUrl).toBe('postgresql://db/crm');
    expect(resolveConfig({ databaseUrl: 'postgres://flag/crm' }, { SALESTRACE_DATABASE_URL: 'postgres://env/crm' }).databaseUrl).toBe('postgres://flag/crm');
  });

  it('refuses any other URL without echoing it, naming the flag or the variable that gave it', () => {
    for (const url of ['mysql://root:secret@db/crm', 'sqlite:data.db', 'postgres:/missing-slash', 'data/salestrace.db']) {
      expect(() => resolveConfig({ databaseUrl: url })).toThrow(new ConfigError('--database-url must be a postgres:// or postgresql:// URL'));
      expect(() => resolveConfig({}, { SALESTRACE_DATABASE_URL: url })).toThrow(new ConfigError('SALESTRACE_DATABASE_URL must be a postgres:// or postgresql:// URL'));
    }
  });
});

describe('describeDatabase', () => {
  it('names the SQLite file or the PostgreSQL URL with its password hidden', () => {
    expect(describeDatabase(resolveConfig({ dataDir: '/srv/st' }))).toBe(`SQLite, ${path.join('/srv/st', 'salestrace.db')}`);
    expect(describeDatabase(resolveConfig({ databaseUrl: 'postgres://crm:s3cret@db.local:5433/sales' }))).toBe('PostgreSQL, postgres://crm:***@db.local:5433/sales');
    expect(describeDatabase(resolveConfig({ databaseUrl: 'postgres://crm@db.local/sales' }))).toBe('PostgreSQL, postgres://crm@db.local/sales');
  });
});
