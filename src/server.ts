// Builds the HTTP and HTTPS servers around one Fastify app. No business logic lives here: it
// wires the REST handler, the health check and the error mapping to the services.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorBody } from './rest/envelope.js';
import { RestError, restError } from './rest/errors.js';
import { CORS_HEADERS, handleRestRequest, sendError, unexpectedError } from './rest/httpHandler.js';
import { isRestPath, parseRestPath } from './rest/route.js';
import { lazyChildLogger, type Logger } from './logger.js';
import type { Services } from './services.js';
import { readTls } from './tls/certificate.js';

export const VERSION = '0.1.0';

export interface HttpServers {
  readonly app: FastifyInstance;
  /** Set when shutdown begins: answers then carry `Connection: close`, so no new request follows them. */
  readonly lifecycle: { closing: boolean };
  readonly http: http.Server;
  readonly https: https.Server | null;
}

/** Extra routes a module adds (OAuth endpoints, health), registered before the REST catch-all. */
export type RouteInstaller = (app: FastifyInstance, services: Services) => void;

function formatOf(url: string): 'json' | 'xml' {
  const path = url.split('?')[0];
  return isRestPath(path) ? parseRestPath(path).format : 'json';
}

/** Maps Fastify's own failures (body too large, bad headers) to Bitrix-style JSON errors. */
function fastifyFailure(services: Services, error: FastifyError, request: FastifyRequest): RestError {
  if (error instanceof RestError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    return restError('REQUEST_TOO_LARGE', { limit: services.config.bodyLimitBytes });
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return restError('BAD_REQUEST');
  }
  return unexpectedError(services, request, error);
}

/** Written straight to the socket when Node cannot read the request (malformed, or too slow). */
function rawErrorResponse(error: RestError, reason: string): string {
  const body = errorBody(error, 'json');
  return (
    `HTTP/1.1 ${error.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n` +
    'Access-Control-Allow-Origin: *\r\nX-Content-Type-Options: nosniff\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** CONNECT asks for a tunnel, which this server never opens; without a listener Node would just close. */
function refuseConnect(_request: http.IncomingMessage, socket: Duplex): void {
  socket.end(rawErrorResponse(restError('BAD_REQUEST'), 'Bad Request'));
}

function clientErrorResponse(services: Services, error: Error & { code?: string }): string {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    const seconds = services.config.requestTimeoutMs / 1000;
    return rawErrorResponse(restError('REQUEST_RECEIVE_TIMEOUT', { seconds }), 'Request Timeout');
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return rawErrorResponse(restError('HEADERS_TOO_LARGE', { limit: http.maxHeaderSize }), 'Request Header Fields Too Large');
  }
  return rawErrorResponse(restError('BAD_REQUEST'), 'Bad Request');
}

/** Connections whose unreadable request is already being answered: Node reports each later chunk again. */
const answeringClientError = new WeakSet<Socket>();

/**
 * The answer Node is writing on this connection, if any; answers to later pipelined requests
 * wait behind it and take its place when it finishes. Node keeps no public handle on it.
 */
function answerInFlight(socket: Socket): http.ServerResponse | null {
  return (socket as Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage ?? null;
}

/**
 * Answers a request Node could not read, then closes the connection. Requests pipelined before
 * it were read in full and are being answered: their answers go out first, in order, so that
 * the error never lands in the middle of one and no valid request loses its answer. A request
 * whose own body never arrived (slow client, broken framing) gets no answer of its own, so the
 * error goes out at once, as long as nothing of that answer was written yet.
 */
function answerClientError(socket: Socket, response: () => string, error: Error): void {
  if (answeringClientError.has(socket)) return;
  answeringClientError.add(socket);
  const answerNow = () => {
    if (socket.writable) socket.end(response());
    else socket.destroy(error);
  };
  const waitForAnswers = () => {
    if (socket.destroyed) return;
    const pending = answerInFlight(socket);
    if (!pending || (!pending.headersSent && !pending.req.complete)) return answerNow();
    // Node moves the next queued answer onto the socket in its own 'finish' listener.
    pending.once('finish', () => setImmediate(waitForAnswers));
  };
  waitForAnswers();
}

/**
 * Node's own limits for receiving a request, which Fastify does not apply to servers made by
 * a serverFactory. The whole request must arrive within the request timeout; connections are
 * checked often enough that the limit holds to within a second.
 */
function receiveLimits(services: Services): http.ServerOptions {
  const requestTimeout = services.config.requestTimeoutMs;
  return {
    requestTimeout,
    headersTimeout: Math.min(60_000, requestTimeout),
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeout / 4))),
  };
}

// PHP serves a script whatever the verb, so every verb reaches the REST handler; verbs Fastify
// does not route (PROPFIND, SEARCH…) arrive through the not-found handler.
async function answerAnyRequest(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const url = request.raw.url ?? '/';
  if (request.method === 'OPTIONS') {
    await reply
      .code(200)
      .headers(CORS_HEADERS)
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-max-age', '86400')
      .send();
    return;
  }
  if (!isRestPath(url.split('?')[0])) {
    await sendError(reply, restError('NOT_FOUND'));
    return;
  }
  await handleRestRequest(services, request, reply);
}

/**
 * An absolute-form request target (`GET http://host/rest/…`, RFC 9112 §3.2.2), which a server
 * must accept, is routed by its path; the authority names no other site this server serves.
 */
function originFormTarget(url: string): string {
  if (url.startsWith('/')) return url;
  const absolute = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i.exec(url);
  if (!absolute) return url;
  const rest = url.slice(absolute[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

export function buildServers(services: Services, installers: RouteInstaller[] = []): HttpServers {
  let httpsServer: https.Server | null = null;
  const onClientError = (error: Error, socket: Socket) => answerClientError(socket, () => clientErrorResponse(services, error), error);
  const app = Fastify({
    loggerInstance: services.log as unknown as FastifyBaseLogger,
    // Per-request logs cost throughput; errors are logged where they are handled.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: (parent, bindings, options) =>
      lazyChildLogger(parent as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger,
    bodyLimit: services.config.bodyLimitBytes,
    trustProxy: services.config.trustProxy,
    return503OnClosing: true,
    requestTimeout: services.config.requestTimeoutMs,
    serverFactory: (handler) => {
      if (services.config.httpsPort !== null) {
        httpsServer = https.createServer({ ...readTls(services.config.dataDir), ...receiveLimits(services) }, handler);
        // Fastify attaches its clientError handler to the main server only.
        httpsServer.on('clientError', onClientError);
        httpsServer.on('connect', refuseConnect);
      }
      const httpServer = http.createServer(receiveLimits(services), handler);
      httpServer.on('connect', refuseConnect);
      return httpServer;
    },
    clientErrorHandler: onClientError,
    rewriteUrl: (raw) => originFormTarget(raw.url ?? '/'),
    // The router refuses a path whose %-escapes do not decode (FST_ERR_BAD_URL) before any route
    // runs. Such a path is answered like any other: under /rest/ core would look up an
    // undecodable method name and not find it (404 ERROR_METHOD_NOT_FOUND, after the rate
    // limit), elsewhere NOT_FOUND, and OPTIONS gets the usual preflight. This request object
    // is Fastify's plain one: behind --trust-proxy it keys the rate limit on the socket address.
    frameworkErrors: (error, request, reply) => {
      const answered =
        error.code === 'FST_ERR_BAD_URL'
          ? answerAnyRequest(services, request, reply)
          : sendError(reply, fastifyFailure(services, error, request), formatOf(request.raw.url ?? '/'));
      Promise.resolve(answered).catch((failure: unknown) => services.log.error({ err: failure }, 'could not answer a request Fastify refused'));
    },
  });

  const lifecycle = { closing: false };
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.closing) reply.header('connection', 'close');
    // A success answer means its writes are durable: it waits until every commit made so far
    // (its own, or one it may have read) is synced, which costs nothing when none is pending
    // (src/db/durability.ts). A failed sync becomes an error answer through the error handler.
    if (reply.statusCode >= 400) return done(null, payload);
    services.durability.afterWrites().then(
      () => done(null, payload),
      (error: Error) => done(error),
    );
  });

  app.removeAllContentTypeParsers();
  // Every body is read raw; rest/params decodes it with core's rules (bad JSON is not an error).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    return sendError(reply, fastifyFailure(services, error, request), formatOf(request.raw.url ?? '/'));
  });

  for (const install of installers) install(app, services);

  app.get('/healthz', async (_request, reply) => {
    let database = 'ok';
    try {
      await services.pingDatabase();
    } catch {
      database = 'unavailable';
    }
    const healthy = database === 'ok';
    return reply
      .code(healthy ? 200 : 503)
      .headers(CORS_HEADERS)
      .send({ status: healthy ? 'ok' : 'degraded', database, dialect: services.dbHelpers.name, version: VERSION });
  });

  const answer = (request: FastifyRequest, reply: FastifyReply) => answerAnyRequest(services, request, reply);
  app.all('*', answer);
  app.setNotFoundHandler(answer);

  return { app, lifecycle, http: app.server as http.Server, https: httpsServer };
}

export interface RunningServer {
  readonly services: Services;
  readonly app: FastifyInstance;
  readonly httpPort: number;
  readonly httpsPort: number | null;
  readonly httpUrl: string;
  readonly httpsUrl: string | null;
  close(): Promise<void>;
}

function listenOn(server: http.Server | https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server | https.Server, sockets: Set<Duplex>, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    // Idle keep-alive connections would hold close() open; in-flight requests get a grace period.
    server.closeIdleConnections();
    setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, graceMs).unref();
  });
}

function trackSockets(server: http.Server | https.Server): Set<Duplex> {
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Listens on the configured ports; `close()` stops accepting, finishes in-flight requests, then closes the database. */
export async function startServer(services: Services, installers: RouteInstaller[] = []): Promise<RunningServer> {
  const { app, lifecycle, http: httpServer, https: httpsServer } = buildServers(services, installers);
  await app.ready();
  const { host } = services.config;
  const httpSockets = trackSockets(httpServer);
  const httpsSockets = httpsServer ? trackSockets(httpsServer) : new Set<Duplex>();
  const httpPort = await listenOn(httpServer, services.config.port, host);
  const httpsPort =
    httpsServer && services.config.httpsPort !== null ? await listenOn(httpsServer, services.config.httpsPort, host) : null;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  // Events carry this server's address as client_endpoint (COMPATIBILITY.md, "Events").
  services.startEventDelivery({ origin: `http://${shownHost}:${httpPort}`, host: `${shownHost}:${httpPort}` });
  let closing: Promise<void> | null = null;
  return {
    services,
    app,
    httpPort,
    httpsPort,
    httpUrl: `http://${shownHost}:${httpPort}`,
    httpsUrl: httpsPort === null ? null : `https://${shownHost}:${httpsPort}`,
    close() {
      closing ??= (async () => {
        lifecycle.closing = true;
        // Every in-flight request is answered within the request timeout, so waiting that
        // long lets each one finish before the remaining connections are cut.
        const grace = services.config.requestTimeoutMs + 1000;
        await Promise.all([
          closeServer(httpServer, httpSockets, grace),
          httpsServer ? closeServer(httpsServer, httpsSockets, grace) : Promise.resolve(),
        ]);
        await app.close();
        await services.close();
      })();
      return closing;
    },
  };
}
