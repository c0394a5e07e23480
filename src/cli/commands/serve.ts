// `salestrace serve`: first-start setup, then the HTTP and HTTPS listeners until SIGTERM.
import { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { checkWorkers, describeDatabase, resolveConfig, type Config } from '../../config.js';
import { routeInstallers } from '../../routes.js';
import { startServer } from '../../server.js';
import { createServices, type Services } from '../../services.js';
import { prepareDataDir } from '../../setup/dataDir.js';
import { ensureAdministrator, WEBHOOK_FILE, webhookUrls, writeWebhookFile } from '../../setup/firstStart.js';
import { forgetRunningServer, recordRunningServer } from '../../setup/runningServer.js';
import { isServeWorker, reportListening, superviseWorkers } from '../../setup/workers.js';
import { ensureCertificate, tlsFiles } from '../../tls/certificate.js';
import { addDataOption } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

export function serveCommand(io: CliIo): Command {
  const serve = addDataOption(
    new Command('serve')
      .description('serve the REST API over HTTP and HTTPS')
      .option('--host <host>', 'address to listen on; env SALESTRACE_HOST', undefined)
      .option('--port <port>', 'HTTP port (0 = any free port); env SALESTRACE_PORT')
      .option('--https-port <port>', 'HTTPS port (0 = any free port, "off" = no HTTPS); env SALESTRACE_HTTPS_PORT')
      .option('--strict', 'hide every salestrace.* method (only what Bitrix24 has)')
      .option('--strict-fields', 'refuse CRM links to missing items or users, unparseable dates and unknown stages; env SALESTRACE_STRICT_FIELDS')
      .option('--require-https', 'refuse webhook calls over plain HTTP, as Bitrix24 does')
      .option('--trust-proxy', 'honour X-Forwarded-For / X-Forwarded-Proto from a reverse proxy')
      .option('--plan <plan>', 'request-rate plan: unlimited, standard, enterprise or free')
      .option('--rate-drain <perSecond>', 'override the plan: requests drained per second')
      .option('--rate-burst <requests>', 'override the plan: bucket size')
      .option('--operating-limit <seconds>', 'operating-time limit per method over 10 minutes, or "off"')
      .option('--log-level <level>', 'pino log level')
      .option('--workers <count>', 'processes sharing the ports (PostgreSQL only); env SALESTRACE_WORKERS')
      .option('--no-event-delivery', 'keep raised events in the outbox instead of sending them; env SALESTRACE_EVENT_DELIVERY')
      .option('--event-timeout-ms <ms>', 'timeout of one event delivery attempt (default 5000); env SALESTRACE_EVENT_TIMEOUT_MS')
      .option('--event-retries <count>', 'retries of a failed event delivery, 0 = send once as Bitrix24 (default 3); env SALESTRACE_EVENT_RETRIES')
      .option('--event-retry-delay-ms <ms>', 'first retry delay, each next one 5x longer (default 1000); env SALESTRACE_EVENT_RETRY_DELAY_MS')
      .option('--public-url <url>', 'the address websites reach this server at, for the tracker pack and its loader; env SALESTRACE_PUBLIC_URL'),
  );
  serve.action(async (options) => {
    const config = resolveConfig(
      {
        host: options.host,
        port: options.port,
        httpsPort: options.httpsPort,
        dataDir: options.data,
        databaseUrl: options.databaseUrl,
        strict: options.strict,
        strictFields: options.strictFields,
        requireHttps: options.requireHttps,
        trustProxy: options.trustProxy,
        plan: options.plan,
        rateDrain: options.rateDrain,
        rateBurst: options.rateBurst,
        operatingLimitSeconds: options.operatingLimit,
        logLevel: options.logLevel,
        workers: options.workers,
        // commander sets eventDelivery to true unless --no-event-delivery: only the flag overrides the environment.
        eventDelivery: options.eventDelivery === false ? false : undefined,
        eventTimeoutMs: options.eventTimeoutMs,
        eventRetries: options.eventRetries,
        eventRetryDelayMs: options.eventRetryDelayMs,
        publicUrl: options.publicUrl,
      },
      io.env,
    );
    checkWorkers(config, io.env, options.workers);
    // A worker of `serve --workers` (this same command line, forked): the supervisor has set up
    // the data directory, the schema and the administrator, and prints the banner.
    if (isServeWorker()) return runWorker(config);
    prepareDataDir(config);
    if (config.httpsPort !== null) await ensureCertificate(config.dataDir);
    if (config.workers > 1) return runSupervisor(config, io);
    const services = await createServices(config, { groupCommit: true });
    // Listen first: the webhook file names the real ports, which port 0 only knows afterwards.
    const server = await startServer(services, routeInstallers());
    // Handlers go in before anything is printed: a supervisor may signal as soon as it reads the banner.
    const shutdown = (signal: string) => {
      printLine(io, `${signal} received: finishing in-flight requests`);
      forgetRunningServer(config.dataDir);
      server.close().then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    await announce(io, services, {
      pid: process.pid,
      http: server.httpPort,
      https: server.httpsPort,
      httpUrl: server.httpUrl,
      httpsUrl: server.httpsUrl,
    });
  });
  return serve;
}

interface Listening {
  readonly pid: number;
  readonly http: number;
  readonly https: number | null;
  readonly httpUrl: string;
  readonly httpsUrl: string | null;
}

/** First start (the administrator and its webhook file), the running-server record, and the banner. */
async function announce(io: CliIo, services: Services, listening: Listening): Promise<void> {
  const { config } = services;
  const ports = { http: listening.http, https: listening.https };
  let urls: string[] = [];
  const bootstrap = await ensureAdministrator(services, (userId, secret) => {
    urls = webhookUrls(config.host, ports, userId, secret);
    writeWebhookFile(path.join(config.dataDir, WEBHOOK_FILE), urls);
  });
  // The webhook printed below must already be durable, like any answer that follows a write.
  await services.durability.afterWrites();
  // For `webhook add`, which prints this server's address rather than the defaults.
  recordRunningServer(config.dataDir, { pid: listening.pid, https: listening.httpsUrl, http: listening.httpUrl });

  printLine(io, `Salestrace listening on ${[listening.httpsUrl, listening.httpUrl].filter(Boolean).join(' and ')}`);
  printLine(io, `Data directory: ${config.dataDir}`);
  printLine(io, `Database: ${describeDatabase(config)}`);
  if (config.workers > 1) printLine(io, `Workers: ${config.workers} processes sharing these ports`);
  if (bootstrap.created) {
    printLine(io, 'Administrator webhook (every scope):');
    for (const url of urls) printLine(io, `  ${url}`);
    printLine(io, `Saved to ${bootstrap.webhookFile} (readable by you only; the database keeps only a hash).`);
  } else if (fs.existsSync(bootstrap.webhookFile)) {
    printLine(io, `Administrator webhook URLs are in ${bootstrap.webhookFile}`);
  } else {
    printLine(
      io,
      `The administrator webhook file ${bootstrap.webhookFile} is gone; create a new webhook with ` +
        '`salestrace webhook add --user 1 --scope crm,user`.',
    );
  }
  if (listening.httpsUrl) printLine(io, `Clients that check certificates: NODE_EXTRA_CA_CERTS=${tlsFiles(config.dataDir).certFile}`);
  // Sign-in needs a password, which no first start sets: say how, beside where.
  printLine(io, `Dashboard: ${listening.httpsUrl ?? listening.httpUrl}/app/ (sign in as admin after \`salestrace user passwd 1\`)`);
}

/**
 * `serve --workers N`: migrates the database once, forks the workers, creates the administrator
 * once they listen, and stops them all on SIGTERM or SIGINT (src/setup/workers.ts).
 */
async function runSupervisor(config: Config, io: CliIo): Promise<void> {
  // Opening the database migrates it, once, before any worker starts.
  const services = await createServices(config, { groupCommit: true });
  const supervisor = superviseWorkers(config.workers, (line) => printLine(io, line));
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    printLine(io, `${signal} received: workers are finishing in-flight requests`);
    forgetRunningServer(config.dataDir);
    supervisor.stop('SIGTERM').then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    const first = await supervisor.listening;
    await announce(io, services, { pid: process.pid, ...first });
  } finally {
    await services.close();
  }
}

/** One worker of `serve --workers`: a whole server on its own connections, without the banner. */
async function runWorker(config: Config): Promise<void> {
  const services = await createServices(config, { groupCommit: true });
  const server = await startServer(services, routeInstallers());
  const shutdown = () => {
    server.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // The supervisor is gone (killed): nobody hands this worker connections any more.
  process.once('disconnect', shutdown);
  reportListening({ http: server.httpPort, https: server.httpsPort, httpUrl: server.httpUrl, httpsUrl: server.httpsUrl });
}
