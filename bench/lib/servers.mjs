// Starting the servers under test: the two baselines and the real Salestrace CLI
// (`node dist/cli/main.js serve`), each a child process on a free loopback port.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOutput, ORPHAN_GUARD, spawnChild, stopChild } from './children.mjs';
import { pinned } from './pinning.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(ROOT, 'dist/cli/main.js');
let cli = CLI;

/** Benchmarks another build of the CLI (`run.mjs --cli`), e.g. a stash of an older dist/. */
export function useCli(file) {
  cli = path.resolve(file);
}

export function currentCli() {
  return cli;
}

/** Flags every Salestrace server in the bench gets: loopback, HTTP only, no limits. */
export const SERVE_FLAGS = ['--host', '127.0.0.1', '--port', '0', '--https-port', 'off', '--plan', 'unlimited', '--operating-limit', 'off'];

const LISTENING = /Salestrace listening on .*?(http:\/\/127\.0\.0\.1:\d+)/;
const WEBHOOK = /(http:\/\/127\.0\.0\.1:\d+)(\/rest\/\d+\/[A-Za-z0-9_-]+\/)/;

/** Calls `onLine` for each stdout line until it returns a value; rejects on exit or timeout. */
function waitForOutput(child, label, onLine, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    let settled = false;
    const finish = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new Error(`${label}: not ready after ${timeoutMs} ms`)), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      if (settled) return; // keep draining the pipe, ignore the rest
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let value;
        try {
          value = onLine(line);
        } catch (error) {
          return finish(reject, error);
        }
        if (value !== undefined) return finish(resolve, value);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    child.once('exit', (code, signal) => finish(reject, new Error(`${label} exited (${signal ?? code}) before it was ready: ${stderr}`)));
  });
}

/** A baseline server from bench/servers/; it prints `{"listening": port}` when ready. */
export async function startBaseline(name, args = [], { nodeArgs = [] } = {}) {
  const script = fileURLToPath(new URL(`../servers/${name}.mjs`, import.meta.url));
  const child = spawnChild(...pinned('server', process.execPath, ['--require', ORPHAN_GUARD, ...nodeArgs, script, ...args]));
  const port = await waitForOutput(child, name, (line) => {
    try {
      return JSON.parse(line).listening;
    } catch {
      return undefined;
    }
  });
  return { name, child, pid: child.pid, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

/**
 * `salestrace serve` on a data directory. The first start prints the administrator webhook;
 * later starts leave it in <data>/webhook.txt. `nodeArgs` go before the script (e.g. --cpu-prof);
 * `cli` runs another build (bench/experiments/whatif.mjs runs patched copies of dist/).
 */
export async function startSalestrace(name, dataDir, { nodeArgs = [], guard = true, cli: script = cli, serveArgs = [] } = {}) {
  const args = [...(guard ? ['--require', ORPHAN_GUARD] : []), ...nodeArgs, script, 'serve', '--data', dataDir, ...SERVE_FLAGS, ...serveArgs];
  const child = spawnChild(...pinned('server', process.execPath, args), { cwd: ROOT });
  const ready = await readyAddresses(child, name, dataDir);
  const server = {
    name,
    child,
    pid: child.pid,
    dataDir,
    ...ready,
    stop: () => stopChild(child, 15_000),
    memo: new Map(),
    /** Runs a setup step once per server (items, pools) and remembers its result. */
    once(key, fn) {
      if (!server.memo.has(key)) server.memo.set(key, fn());
      return server.memo.get(key);
    },
  };
  return server;
}

async function readyAddresses(child, name, dataDir) {
  let url;
  const found = await waitForOutput(child, name, (line) => {
    const listening = LISTENING.exec(line);
    if (listening) url = listening[1];
    const webhook = WEBHOOK.exec(line);
    if (webhook) return webhook;
    if (url && /Administrator webhook URLs are in/.test(line)) {
      const saved = WEBHOOK.exec(fs.readFileSync(path.join(dataDir, 'webhook.txt'), 'utf8'));
      if (!saved) throw new Error(`${name}: no webhook URL in ${dataDir}/webhook.txt`);
      return saved;
    }
    return undefined;
  });
  // A saved webhook may name an old port: keep its path, use the port this start listens on.
  const base = url ?? found[1];
  return { url: base, webhookPath: found[2], webhookUrl: base + found[2] };
}

/** The methods a Salestrace server registers (`methods?full=1`). */
export async function registeredMethods(server) {
  const response = await fetch(`${server.webhookUrl}methods?full=1`);
  const body = await response.json();
  if (!Array.isArray(body.result)) throw new Error(`methods?full=1 answered ${JSON.stringify(body).slice(0, 300)}`);
  return new Set(body.result);
}

/** Whether this build's CLI lists a command (e.g. `seed`) in its help. */
export async function cliHasCommand(command) {
  const child = spawnChild(process.execPath, [cli, '--help'], { cwd: ROOT });
  const help = await collectOutput(child, 'salestrace --help');
  return new RegExp(`^\\s+${command}\\b`, 'm').test(help);
}

/** One POST with node:http (no connection reuse): for cold-start timing, where fetch's lazy load would count. */
export function postOnce(url, body) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}
