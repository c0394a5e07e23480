// Compiles testMethods.ts to dist-test/ for servers the suite spawns from dist/ (npm test runs
// this after the build). One file, types stripped: tsc -p tsconfig.json checks it with the rest.
// Kept out of dist/ so that the production build never contains it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const source = path.join(root, 'test', 'support', 'testMethods.ts');
const outDir = path.join(root, 'dist-test');

const { outputText } = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  fileName: source,
});
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'testMethods.js'), outputText);
