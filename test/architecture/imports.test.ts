// The import rules of .dependency-cruiser.cjs, run by `npm test`: no circle in src/, type-only
// imports included (issue 15). The fixture check proves the rule can fail.
import { createRequire } from 'node:module';
import { cruise, type IConfiguration, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { describe, expect, it } from 'vitest';

const rules = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

/** The rules' violations among `paths`, each rule applied to the files under `fromPath`. */
async function violations(paths: string[], fromPath: string): Promise<string[]> {
  const forbidden = (rules.forbidden ?? []).map((rule) => ({ ...rule, from: { ...rule.from, path: fromPath } }));
  const tsConfig = extractTSConfig('tsconfig.json');
  const result = await cruise(paths, { ...rules.options, validate: true, ruleSet: { forbidden } }, undefined, { tsConfig });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a result');
  return result.output.summary.violations.map((found: IViolation) => `${found.rule.name}: ${[found.from, ...(found.cycle ?? []).map((step) => step.name)].join(' → ')}`);
}

describe('import rules', () => {
  it('find no import circle in src/', async () => {
    expect(await violations(['src'], '^src/')).toEqual([]);
  }, 60_000);

  it('see a circle made only of type imports', async () => {
    const found = await violations(['test/architecture/fixtures/typeCircle'], '^test/architecture/fixtures/');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((text) => text.startsWith('no-circular: '))).toBe(true);
  }, 60_000);
});
