// Runs the real command line, `node bin/salestrace …`, as a user would (dist/ is built by
// `npm test` before vitest starts). Under TEST_DB=postgres every data directory made here comes
// with its own database, and the commands are pointed at it the way a PostgreSQL user would:
// `--database-url` next to `--data`, SALESTRACE_DATABASE_URL next to SALESTRACE_DATA.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTestDatabase,
  databaseUrlForDataDir,
  forgetDataDirDatabase,
  rememberDataDirDatabase,
  type TestDatabase,
} from '../helpers/database.js';
import { requireFreshBuild } from './freshBuild.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN_PATH = path.join(ROOT, 'bin', 'salestrace');
/** The suite's methods as a spawned server loads them (SALESTRACE_TEST_METHODS). */
const TEST_METHODS_BUILT = path.join(ROOT, 'dist-test', 'testMethods.js');

/** The binary, once dist/ is known to be built from the current src/. */
export function builtBin(): string {
  requireFreshBuild(ROOT);
  return BIN_PATH;
}

/** The built test methods module, once known to be current. */
export function builtTestMethods(): string {
  requireFreshBuild(ROOT);
  return TEST_METHODS_BUILT;
}

/** The environment without any SALESTRACE_* setting of the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('SALESTRACE_')) env[key] = value;
  return { ...env, ...extra };
}

/** Temporary data directories (and everything under them) and their databases. */
const databases = new Map<string, TestDatabase>();

/** A fresh data directory; under TEST_DB=postgres also a fresh database that goes with it. */
export async function tempDataDir(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-cli-'));
  const database = await createTestDatabase();
  databases.set(dir, database);
  rememberDataDirDatabase(dir, database.url);
  return dir;
}

/** Removes a directory from tempDataDir() and drops its database. */
export async function removeTempDataDir(dir: string): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  await databases.get(dir)?.drop();
  databases.delete(dir);
  forgetDataDirDatabase(dir);
}

/** The PostgreSQL URL that goes with a data directory (or one inside it); null on SQLite. */
export const databaseUrlFor = databaseUrlForDataDir;

/** Adds the data directory's database to a command unless the test chose one itself. */
export function withTestDatabase(args: string[], env: Record<string, string>): { args: string[]; env: Record<string, string> } {
  if (args.includes('--database-url') || env.SALESTRACE_DATABASE_URL !== undefined) return { args, env };
  const flag = args.indexOf('--data');
  const byFlag = flag >= 0 ? databaseUrlFor(args[flag + 1]) : null;
  if (byFlag) return { args: [...args.slice(0, flag + 2), '--database-url', byFlag, ...args.slice(flag + 2)], env };
  const byEnv = databaseUrlFor(env.SALESTRACE_DATA);
  if (byEnv) return { args, env: { ...env, SALESTRACE_DATABASE_URL: byEnv } };
  return { args, env };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command to completion. */
export function runCli(givenArgs: string[], givenEnv: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const { args, env } = withTestDatabase(givenArgs, givenEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtBin(), ...args], { cwd: ROOT, env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `serve` and resolves once it has printed where its webhook is. */
export function startServe(givenArgs: string[], givenEnv: Record<string, string> = {}): Promise<ServeProcess> {
  const { args, env } = withTestDatabase(givenArgs, givenEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [builtBin(), 'serve', ...args], { cwd: ROOT, env: cleanEnv(env) });
    let out = '';
    let done = false;
    const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
    const timer = setTimeout(() => fail(new Error(`serve did not start within 20 s:\n${out}`)), 20_000);
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      // The dashboard's line is the banner's last.
      if (!done && /(Saved to|are in|is gone)[^\n]*\n/.test(out) && /^Dashboard: [^\n]*\n/m.test(out)) {
        done = true;
        clearTimeout(timer);
        resolve({
          child,
          output: () => out,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => fail(new Error(`serve exited with ${code}:\n${out}`)));
  });
}
