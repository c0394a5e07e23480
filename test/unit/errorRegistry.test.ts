// Every entry of the error registry (src/rest/errors.ts) is either raised somewhere in the
// source or listed in NEVER_RAISED with its reason, and each listed one is explained in
// COMPATIBILITY.md. A key that is added and never raised, or one that stops being raised,
// fails here instead of lingering as dead text. Every raised key is met by some test, every
// domain error kind has a row in each family's table, and no error text lives outside the registry.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_KINDS } from '../../src/auth/errors.js';
import { ANALYTICS_ERROR_KINDS } from '../../src/analytics/errors.js';
import { ANALYTICS_ERRORS } from '../../src/analytics/methods/errors.js';
import { ITEM_HOOK_ERROR_KINDS } from '../../src/crm/contract.js';
import { ITEM_ERRORS, LEGACY_ERRORS } from '../../src/crm/methods/conventions.js';
import { CRM_ERROR_KINDS } from '../../src/crm/model/errors.js';
import { AUTH_ERRORS } from '../../src/rest/authErrors.js';
import { ERRORS, NEVER_RAISED, type ErrorKey } from '../../src/rest/errors.js';
import { NOT_MET, type TranslationTable } from '../../src/rest/translation.js';
import { SYSTEM_ERRORS } from '../../src/system/methods.js';
import { TRACKING_ERROR_KINDS } from '../../src/tracking/errors.js';
import { CRM_TRACKING_ERRORS, SALESTRACE_ERRORS } from '../../src/tracking/methods/errors.js';
import { SITE_ERROR_KINDS } from '../../src/sites/errors.js';
import { SITE_ERRORS } from '../../src/sites/methods/errors.js';

const root = path.resolve(import.meta.dirname, '../..');
const REGISTRY = path.join('src', 'rest', 'errors.ts');

function filesUnder(dir: string, extension: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(relative, extension);
    return entry.name.endsWith(extension) ? [relative] : [];
  });
}

const sourceFiles = () => filesUnder('src', '.ts');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** Keys named as a string literal outside the registry, or passed to restError inside it (its helpers). */
function raisedKeys(): Set<string> {
  const raised = new Set<string>();
  for (const file of sourceFiles()) {
    const text = read(file);
    for (const key of Object.keys(ERRORS)) {
      const literal = new RegExp(`['"\`]${key}['"\`]`);
      const used = file === REGISTRY ? new RegExp(`restError\\(\\s*['"\`]${key}['"\`]`).test(text) : literal.test(text);
      if (used) raised.add(key);
    }
  }
  return raised;
}

/**
 * Keys raised only by defensive checks that a running server cannot reach, so no black-box
 * test can meet them; each says why. Keep this short: a reachable error belongs in a test.
 */
const GUARDS: Partial<Record<ErrorKey, string>> = {
  ACCESS_DENIED_USER_REQUIRED: 'user.current for a caller whose user is gone: authentication already requires the user',
  ACCESS_DENIED_APP_CONTEXT: 'app.info for a token when services carry no app description: services.ts always wires one',
};

/** The fixed parts of a key's text, between its `{placeholders}`. */
function fixedParts(key: ErrorKey): string[] {
  return ERRORS[key].description.split(/\{\w+\}/).filter((part) => part !== '');
}

/** Every string literal of a source file, template literal parts included. */
function stringLiterals(file: string): string[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node)) {
      found.push(node.head.text, ...node.templateSpans.map((span) => span.literal.text));
    }
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

describe('the error registry', () => {
  it('lists in NEVER_RAISED exactly the keys no code raises', () => {
    const raised = raisedKeys();
    const unraised = Object.keys(ERRORS).filter((key) => !raised.has(key));
    expect(unraised.sort()).toEqual([...NEVER_RAISED].sort());
  });

  it('explains every never-raised error in COMPATIBILITY.md', () => {
    const compatibility = fs.readFileSync(path.join(root, 'COMPATIBILITY.md'), 'utf8');
    const section = compatibility.split('### Errors that cannot occur on a self-hosted server')[1]?.split('\n#')[0] ?? '';
    for (const key of NEVER_RAISED) {
      expect(section, key).toMatch(new RegExp(`^\\|[^\\n]*\`${ERRORS[key].code}\``, 'm'));
    }
  });

  // The suite asserts exact bodies, so a raised key that no test names, and whose text no test
  // quotes, is an answer nothing checks. Keys whose text is all placeholders (or empty) are
  // met by name, through salestrace.test.fail or an expected body's code.
  it('has every raised key met by some test: its text quoted, or its name given', () => {
    // Literals, not raw text: a test writes a backtick inside a template as \`.
    const tests = filesUnder('test', '.ts')
      .filter((file) => file !== path.join('test', 'unit', 'errorRegistry.test.ts'))
      .flatMap(stringLiterals)
      .map((literal) => `'${literal}'`)
      .join('\n');
    const rawTests = filesUnder('test', '.ts').map(read).join('\n');
    const skipped = new Set<string>([...NEVER_RAISED, ...Object.keys(GUARDS)]);
    const unmet = (Object.keys(ERRORS) as ErrorKey[]).filter((key) => {
      if (skipped.has(key)) return false;
      const parts = fixedParts(key);
      if (ERRORS[key].description === '') return !rawTests.includes(`error: '${ERRORS[key].code}', error_description: ''`);
      if (parts.length === 0) return !new RegExp(`['=]${key}['&]`).test(tests);
      const longest = parts.reduce((a, b) => (b.length > a.length ? b : a));
      return !tests.includes(longest);
    });
    expect(unmet).toEqual([]);
  });

  it('names as guards only keys that code raises', () => {
    const raised = raisedKeys();
    for (const key of Object.keys(GUARDS)) expect(raised.has(key), key).toBe(true);
  });
});

/** Each method family's table and the domain error kinds its methods can meet. */
const FAMILIES: [string, TranslationTable<string>, readonly string[]][] = [
  ['crm.{type}.*', LEGACY_ERRORS, [...CRM_ERROR_KINDS, ...ITEM_HOOK_ERROR_KINDS]],
  ['crm.item.*', ITEM_ERRORS, CRM_ERROR_KINDS],
  ['crm.tracking.*', CRM_TRACKING_ERRORS, TRACKING_ERROR_KINDS],
  ['salestrace.*', SALESTRACE_ERRORS, TRACKING_ERROR_KINDS],
  ['authentication (every method)', AUTH_ERRORS, AUTH_ERROR_KINDS],
  ['system methods', SYSTEM_ERRORS, AUTH_ERROR_KINDS],
  ['salestrace.site.*', SITE_ERRORS, SITE_ERROR_KINDS],
  ['salestrace.* analytics', ANALYTICS_ERRORS, ANALYTICS_ERROR_KINDS],
];

describe('the families’ translation tables', () => {
  it.each(FAMILIES)('%s has exactly one row for every kind its modules raise, each naming a registry key', (_family, table, kinds) => {
    expect(Object.keys(table).sort()).toEqual([...new Set(kinds)].sort());
    for (const [kind, row] of Object.entries(table)) {
      if (row !== NOT_MET) expect(Object.keys(ERRORS), kind).toContain(row.key);
    }
  });

  it('answers every kind in some family: no kind is declared and then met nowhere', () => {
    const met = new Set(FAMILIES.flatMap(([, table]) => Object.keys(table).filter((kind) => table[kind] !== NOT_MET)));
    expect(
      [...CRM_ERROR_KINDS, ...TRACKING_ERROR_KINDS, ...AUTH_ERROR_KINDS, ...SITE_ERROR_KINDS, ...ANALYTICS_ERROR_KINDS].filter(
        (kind) => !met.has(kind),
      ),
    ).toEqual([]);
  });

  it('covers the add hooks’ refusals with kinds tracking raises', () => {
    for (const kind of ITEM_HOOK_ERROR_KINDS) expect(TRACKING_ERROR_KINDS).toContain(kind);
  });
});

describe('error texts outside the registry', () => {
  // Not error answers: the CLI speaks to the operator in its own words, the OAuth sign-in
  // pages are HTML for a person.
  const SIGN_IN_PAGES = path.join('src', 'auth', 'oauth', 'authorizeEndpoint.ts');
  const checked = () =>
    sourceFiles().filter(
      (file) => ![REGISTRY, SIGN_IN_PAGES].includes(file) && !file.startsWith(path.join('src', 'cli')),
    );

  it('builds no RestError and no free-text error outside the registry', () => {
    for (const file of checked()) {
      expect(read(file), file).not.toMatch(/new RestError\(|\b(coreError|legacyError)\(/);
    }
  });

  it('has no string literal that holds a registry text', () => {
    const fragments = (Object.keys(ERRORS) as ErrorKey[]).flatMap(fixedParts).filter((part) => part.trim().length >= 12);
    const copies = checked().flatMap((file) =>
      stringLiterals(file)
        .filter((literal) => fragments.some((fragment) => literal.includes(fragment)))
        .map((literal) => `${file}: ${literal}`),
    );
    expect(copies).toEqual([]);
  });

  it('has no string literal shaped like an error sentence outside the registry', () => {
    // Sentences that refuse something: the wording of Bitrix's and Salestrace's error texts.
    const sentence = /^(Parameter|Field|Filter field|Invalid|Wrong|Unknown|You (do not )?have no|Access denied|Could not|Expected|The [\w ]+ (is|must)|[\w ]+ (is|are) not (found|valid|allowed|defined))\b.*[.!]?$/;
    const suspects = checked().flatMap((file) =>
      stringLiterals(file)
        .filter((literal) => sentence.test(literal) && literal.includes(' '))
        .map((literal) => `${file}: ${literal}`),
    );
    expect(suspects).toEqual([]);
  });
});
