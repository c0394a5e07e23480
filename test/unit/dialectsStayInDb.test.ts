// Dialect code lives in src/db/ only (DESIGN.md "Dialects stay in db/dialects/"): the rest of
// src/ asks the dialect's helpers and never names an engine, its driver, its SQL extensions or
// its error codes. src/seed/ is the documented exception: the seed command writes to the
// embedded SQLite database only, through better-sqlite3 directly.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const ALLOWED = ['db/', 'seed/'];

/** What only dialect code may write, each with what it gives away. */
const DIALECT_MARKS: [RegExp, string][] = [
  // Lower case: the dialects' names; people read "SQLite" and "PostgreSQL" (describeDatabase).
  [/['"`](sqlite|postgres|postgresql|pg)['"`]/, 'a dialect or driver name as a value'],
  [/from ['"](better-sqlite3|pg|pg-pool)['"]|import\(['"](better-sqlite3|pg)['"]\)/, 'a driver import'],
  [/\b(SqliteError|DatabaseError|PostgresAdapter|SqliteAdapter|PostgresDialect|SqliteDialect)\b/, 'a driver or dialect class'],
  [/\bSQLITE_[A-Z]+/, 'an SQLite result code'],
  [/['"`](0[8A-Z]|2[2-3]|4[0-2]|5[3-7])[0-9A-Z]{3}['"`]/, 'a PostgreSQL SQLSTATE'],
  [/\.(forUpdate|forNoKeyUpdate|forShare|forKeyShare)\(|\bFOR (NO KEY )?UPDATE\b|\bFOR (KEY )?SHARE\b/, 'a row lock clause'],
  [/\bpragma\b(?!['"])|\bsqlite_master\b|\bdata_version\b/i, 'an SQLite pragma or catalog'],
  [/\bpg_[a-z_]+\b|\binformation_schema\b/, 'a PostgreSQL catalog or function'],
];

/** The code of a file without its comments (prose may name the engines). */
function codeOf(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Each line of `code` that shows a dialect, with what it shows. */
function dialectMarks(code: string): string[] {
  const found: string[] = [];
  code.split('\n').forEach((line, index) => {
    for (const [mark, meaning] of DIALECT_MARKS) {
      if (mark.test(line)) found.push(`${index + 1}: ${meaning}: ${line.trim()}`);
    }
  });
  return found;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('dialects stay in src/db/', () => {
  it('recognises each kind of dialect code', () => {
    const samples = [
      `if (helpers.name === 'postgres') return;`,
      `const dialect = "sqlite";`,
      `import Database from 'better-sqlite3';`,
      `if (error instanceof SqliteError) {}`,
      `if (error.code === 'SQLITE_BUSY') retry();`,
      `if (error.code === '23505') duplicate();`,
      `if (error.code === '40P01') again();`,
      `query = query.forUpdate();`,
      `db.pragma('journal_mode = WAL');`,
      `select * from sqlite_master`,
      `select pg_advisory_lock(1)`,
    ];
    for (const sample of samples) expect(dialectMarks(sample), sample).toHaveLength(1);
    expect(dialectMarks(codeOf(`// SQLite runs writers one at a time; 'postgres' here is prose\nconst x = 1;`))).toEqual([]);
    expect(dialectMarks(`reply.header('pragma', 'no-cache'); const url = 'postgres://host/db';`)).toEqual([]);
  });

  it('finds none outside src/db/ (and the SQLite-only seed)', () => {
    const files = sourceFiles(SRC).filter((file) => !ALLOWED.some((dir) => path.relative(SRC, file).startsWith(dir)));
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) =>
      dialectMarks(codeOf(fs.readFileSync(file, 'utf8'))).map((mark) => `src/${path.relative(SRC, file)}:${mark}`),
    );
    expect(offenders).toEqual([]);
  });

  it('writes the 32-bit integer limit in one place: the PostgreSQL dialect', () => {
    const limit = /2147483647|2147483648|0x7fffffff|0x80000000|2 ?\*\* ?31/i;
    const writers = sourceFiles(SRC)
      .filter((file) => limit.test(codeOf(fs.readFileSync(file, 'utf8'))))
      .map((file) => path.relative(SRC, file));
    expect(writers).toEqual([path.join('db', 'dialects', 'postgresHelpers.ts')]);
  });
});
