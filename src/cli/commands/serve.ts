// `salestrace serve`: first-start setup, then the HTTP and HTTPS listeners until SIGTERM.
import { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { describeDatabase, resolveConfig } from '../../config.js';
import { routeInstallers } from '../../routes.js';
import { startServer } from '../../server.js';
import { createServices } from '../../services.js';
import { prepareDataDir } from '../../setup/dataDir.js';
import { ensureAdministrator, WEBHOOK_FILE, webhookUrls, writeWebhookFile } from '../../setup/firstStart.js';
import { forgetRunningServer, recordRunningServer } from '../../setup/runningServer.js';
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
        publicUrl: options.publicUrl,
      },
      io.env,
    );
    prepareDataDir(config);
    if (config.httpsPort !== null) await ensureCertificate(config.dataDir);
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
    const ports = { http: server.httpPort, https: server.httpsPort };
    let urls: string[] = [];
    const bootstrap = await ensureAdministrator(services, (userId, secret) => {
      urls = webhookUrls(config.host, ports, userId, secret);
      writeWebhookFile(path.join(config.dataDir, WEBHOOK_FILE), urls);
    });
    // The webhook printed below must already be durable, like any answer that follows a write.
    await services.durability.afterWrites();
    // For `webhook add`, which prints this server's address rather than the defaults.
    recordRunningServer(config.dataDir, { pid: process.pid, https: server.httpsUrl, http: server.httpUrl });

    printLine(io, `Salestrace listening on ${[server.httpsUrl, server.httpUrl].filter(Boolean).join(' and ')}`);
    printLine(io, `Data directory: ${config.dataDir}`);
    printLine(io, `Database: ${describeDatabase(config)}`);
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
    if (server.httpsUrl) printLine(io, `Clients that check certificates: NODE_EXTRA_CA_CERTS=${tlsFiles(config.dataDir).certFile}`);
  });
  return serve;
}
