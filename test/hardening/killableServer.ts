// A `salestrace serve` that a crash test kills and starts again on one data directory. The
// webhook URL is printed on the first start only, so its code is kept for the later ones.
import { startServe, type ServeProcess } from '../cli/spawn.js';

export interface KillableServer {
  /** Every process started and not yet reaped; the test's afterAll kills what is left. */
  readonly running: ServeProcess[];
  /** `extra`: more `serve` flags for this start. */
  start(extra?: string[]): Promise<{ serve: ServeProcess; base: string }>;
  /** Forgets a process the test has killed and waited for. */
  reaped(serve: ServeProcess): void;
}

export function killableServer(dataDir: string): KillableServer {
  const running: ServeProcess[] = [];
  let secret = '';
  return {
    running,
    async start(extra: string[] = []) {
      const serve = await startServe(['--data', dataDir, '--port', '0', '--https-port', 'off', '--operating-limit', 'off', '--log-level', 'silent', ...extra]);
      running.push(serve);
      const output = serve.output();
      const printed = /^ {2}http:\/\/127\.0\.0\.1:\d+\/rest\/1\/([a-z0-9]+)\/$/m.exec(output);
      if (printed) secret = printed[1];
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (!port || !secret) throw new Error(`unexpected serve output:\n${output}`);
      return { serve, base: `http://127.0.0.1:${port}/rest/1/${secret}/` };
    },
    reaped(serve) {
      running.splice(running.indexOf(serve), 1);
    },
  };
}

/** One REST call that must succeed; its `result`. */
export async function callOk(base: string, method: string, params: unknown): Promise<any> {
  const response = await fetch(base + method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  const body = (await response.json()) as any;
  if (response.status !== 200) throw new Error(`${method}: ${response.status} ${JSON.stringify(body)}`);
  return body.result;
}
