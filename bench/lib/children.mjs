// Every process the bench starts is registered here, so that a normal exit, an error or
// Ctrl-C ends all of them. Children also watch their parent (bench/lib/orphanGuard.cjs), so
// even a SIGKILLed bench leaves nothing running.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ORPHAN_GUARD = fileURLToPath(new URL('./orphanGuard.cjs', import.meta.url));

const running = new Set();

/** Spawns a child that is killed when the bench exits, whatever the reason. */
export function spawnChild(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

function killAll() {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Asks a child to stop (SIGTERM), and kills it if it is not gone within graceMs. */
export function stopChild(child, graceMs = 5000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolves with a child's whole stdout once it exits; rejects on a non-zero exit. */
export function collectOutput(child, label) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${label} failed (${signal ?? `exit ${code}`}): ${err.trim().slice(-2000)}`));
    });
  });
}

let installed = false;

/** Kills every child on exit, Ctrl-C, SIGTERM and uncaught errors. Call once from the entry script. */
export function installExitHandlers() {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping every child process`);
      killAll();
      process.exit(130);
    });
  }
  const fail = (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    killAll();
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
}

/** A last resort: the whole run is aborted if it ever takes longer than this. */
export function armDeadline(ms, what) {
  setTimeout(() => {
    console.error(`${what} exceeded ${Math.round(ms / 1000)} s: aborting`);
    killAll();
    process.exit(1);
  }, ms).unref();
}
