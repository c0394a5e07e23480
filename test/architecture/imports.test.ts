// The import rules of .dependency-cruiser.cjs, run by `npm test`: no circle in src/, type-only
// imports included, and no SQL in method handlers (issue 15). The fixture checks prove the
// rules can fail.
import { createRequire } from 'node:module';
import { cruise, type IConfiguration, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const rules = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

/** What `forbidden` finds among `paths`, one line per violation. */
async function violations(paths: string[], forbidden: IConfiguration['forbidden']): Promise<string[]> {
  const tsConfig = extractTSConfig('tsconfig.json');
  const result = await cruise(paths, { ...rules.options, validate: true, ruleSet: { forbidden } }, undefined, { tsConfig });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a result');
  return result.output.summary.violations.map((found: IViolation) => `${found.rule.name}: ${[found.from, ...(found.cycle ?? []).map((step) => step.name)].join(' → ')}`);
}

describe('import rules', () => {
  it('hold in src/: no import circle, the Services bag only where the server is composed, no SQL in handlers', async () => {
    expect(await violations(['src'], rules.forbidden)).toEqual([]);
  }, 60_000);

  it('see a circle made only of type imports', async () => {
    const circleRule = rules.forbidden!.filter((rule) => rule.name === 'no-circular');
    const onFixture = circleRule.map((rule) => ({ ...rule, from: { path: '^test/architecture/fixtures/' } }));
    const found = await violations(['test/architecture/fixtures/typeCircle'], onFixture);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((text) => text.startsWith('no-circular: '))).toBe(true);
  }, 60_000);

  it('see a handler module that imports the query builder', async () => {
    const handlerRule = rules.forbidden!.filter((rule) => rule.name === 'no-database-in-handlers');
    const found = await violations(['test/architecture/fixtures/methods'], handlerRule);
    expect(found).toEqual(['no-database-in-handlers: test/architecture/fixtures/methods/queriesItself.ts']);
  }, 60_000);
});
