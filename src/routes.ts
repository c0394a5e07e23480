// Non-REST HTTP routes each module contributes (OAuth endpoints and the like).
import { oauthRoutes } from './auth/oauth/routes.js';
import { LeakyBucket } from './limits/leakyBucket.js';
import { clientAddress, isHttpsRequest, paramLimits } from './rest/httpHandler.js';
import { dashboardRoutes } from './dashboard/routes.js';
import type { RouteInstaller } from './server.js';
import { trackerRoutes } from './tracker/routes.js';
import { installGuestEndpoint } from './sites/http/guestEndpoint.js';
import { PUBLIC_RATE_PLAN } from './sites/http/publicRequest.js';

/** The website's public endpoints (/pub/guest.php), with their own per-IP limit. */
const siteRoutes: RouteInstaller = (app, services) => {
  const { config } = services;
  installGuestEndpoint(app, {
    settings: services.sites,
    guests: services.sites,
    tracking: services.tracking,
    limits: paramLimits(services),
    limiter: new LeakyBucket(PUBLIC_RATE_PLAN, services.clock),
    clientKey: (request) => clientAddress(request, config.trustProxy),
    isHttps: (request) => isHttpsRequest(request, config.trustProxy),
    log: services.log,
  });
};

export function routeInstallers(): RouteInstaller[] {
  return [oauthRoutes, siteRoutes, trackerRoutes, dashboardRoutes];
}
