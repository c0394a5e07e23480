// Reference `fastify-floor` (not a target baseline): Fastify configured the way src/server.ts
// configures it (raw-buffer body parser for every content type, a catch-all route, the same
// response headers) answering the fixed bare-http envelope. The gap between this and bare-http
// is the framework's share; the gap between this and server.time is Salestrace's own work.
import Fastify from 'fastify';
import { listenAndAnnounce } from './listen.mjs';

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
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'origin, content-type, accept, authorization',
  'x-content-type-options': 'nosniff',
};

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, return503OnClosing: true, requestTimeout: 60_000 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
app.all('*', async (_request, reply) => {
  await reply.code(200).headers(CORS_HEADERS).header('content-type', 'application/json; charset=utf-8').send(ENVELOPE);
});
await app.ready();
listenAndAnnounce(app.server);
