// The load generator, always run as its own process (`node bench/loadgen.mjs <spec.json>`) so it
// never shares an event loop with a server. It drives autocannon for a fixed time and prints one
// JSON line: 2xx count, failures, exact latency percentiles and the measured rate.
//
// spec: { url, connections, seconds, verify, requests: [{method, path, headers, body}],
//         consume?: {method, path, headers, bodies: [...]} }
// `requests` are cycled by every connection; `consume` bodies are each sent exactly once across
// all connections (for deletes), and the run ends early when they run out.
import autocannon from 'autocannon';
import fs from 'node:fs';
import { percentile } from './lib/stats.mjs';
import { verifierFor } from './lib/verify.mjs';

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const verify = verifierFor(spec.verify);

const options = {
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  pipelining: 1,
  timeout: 10,
  verifyBody: verify,
};

let consumed = 0;
if (spec.consume) {
  const { bodies, ...request } = spec.consume;
  // autocannon builds one request per connection up front that it may never send, so a margin
  // of bodies is kept back: no body is ever sent twice.
  options.maxOverallRequests = Math.max(1, bodies.length - 2 * spec.connections);
  options.requests = [
    {
      ...request,
      setupRequest: (req) => {
        // autocannon may build a request it never sends; skipping a body is harmless.
        req.body = bodies[Math.min(consumed++, bodies.length - 1)];
        return req;
      },
    },
  ];
} else {
  options.requests = spec.requests;
}

const latencies = [];
let startedAt = 0;
let lastResponseAt = 0;
let firstMismatch = null;

const instance = autocannon(options, (error, result) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  latencies.sort((a, b) => a - b);
  const elapsed = (lastResponseAt - startedAt) / 1000;
  const ok = result['2xx'];
  process.stdout.write(
    JSON.stringify({
      ok,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      mismatches: result.mismatches,
      statusCodes: result.statusCodeStats,
      firstMismatch,
      seconds: elapsed,
      rps: elapsed > 0 ? ok / elapsed : 0,
      latencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? null,
        mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : null,
      },
      consumed,
      cpuSeconds: (({ user, system }) => (user + system) / 1e6)(process.cpuUsage()),
    }) + '\n',
  );
});

instance.once('start', () => (startedAt = performance.now()));
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  lastResponseAt = performance.now();
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
});
instance.on('reqMismatch', (body) => {
  firstMismatch ??= String(body).slice(0, 500);
});
