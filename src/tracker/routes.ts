// GET/HEAD of the pack at the path a portal serves it from (tracker-and-calls.md §1.1), with an
// ETag and a one-minute cache, which is as often as the loader's cache buster changes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError, unexpectedError } from '../rest/httpHandler.js';
import type { RouteInstaller } from '../server.js';
import type { PackName } from './contract.js';
import { GUEST_PATH, PACK_PATH } from './loader.js';

const PACKS: [string, PackName][] = [
  [PACK_PATH, 'call.tracker'],
  [GUEST_PATH, 'guest'],
];

/** `If-None-Match` names this ETag (a list, or `*`). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}

export const trackerRoutes: RouteInstaller = (app, services) => {
  for (const [url, name] of PACKS) {
    app.get(url, async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const tracker = services.ports.tracker;
        const address = tracker.publicAddress(`${request.protocol}://${request.host}`);
        const file = await tracker.pack(name, address);
        reply
          .header('content-type', 'application/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=60')
          .header('etag', file.etag)
          .header('access-control-allow-origin', '*')
          .header('x-content-type-options', 'nosniff');
        if (matches(request.headers['if-none-match'], file.etag)) return reply.code(304).send();
        return reply.code(200).send(file.body);
      } catch (error) {
        return sendError(reply, unexpectedError(services, request, error));
      }
    });
  }
};
