// Baseline `bare-http`: the runtime's limit. A minimal node:http server that reads the request
// body and answers a fixed JSON envelope of the same shape and size as a server.time answer.
//   node bench/servers/bare-http.mjs [busyMicroseconds]
// The optional argument spins the CPU that long per request (bench/experiments/budget.mjs uses
// it to find how much work per request a target leaves room for). The bench runs it with 0.
import http from 'node:http';
import { listenAndAnnounce, readBody } from './listen.mjs';

const ENVELOPE = JSON.stringify({
  result: '2026-01-01T00:00:00+00:00',
  time: {
    start: 1767225600.123456,
    finish: 1767225600.123789,
    duration: 0.000333,
    processing: 0.000012,
    date_start: '2026-01-01T00:00:00+00:00',
    date_finish: '2026-01-01T00:00:00+00:00',
    operating_reset_at: 1767226200,
    operating: 0,
  },
});
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(ENVELOPE) };

const busyMs = Number(process.argv[2] ?? 0) / 1000;

function spin() {
  const until = performance.now() + busyMs;
  while (performance.now() < until);
}

const server = http.createServer(async (request, response) => {
  await readBody(request);
  if (busyMs > 0) spin();
  response.writeHead(200, HEADERS);
  response.end(ENVELOPE);
});
listenAndAnnounce(server);
