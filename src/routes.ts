// Non-REST HTTP routes each module contributes (OAuth endpoints and the like).
import type { FastifyRequest } from 'fastify';
import { oauthRoutes } from './auth/oauth/routes.js';
import { crmTypedAdds } from './crm/methods/typedAdds.js';
import { LeakyBucket } from './limits/leakyBucket.js';
import { clientAddress, isHttpsRequest, paramLimits } from './rest/httpHandler.js';
import { dashboardRoutes } from './dashboard/routes.js';
import type { RouteInstaller } from './server.js';
import { trackerRoutes } from './tracker/routes.js';
import { installFormEndpoint } from './sites/http/formEndpoint.js';
import { installGuestEndpoint } from './sites/http/guestEndpoint.js';
import { PUBLIC_RATE_PLAN } from './sites/http/publicRequest.js';

/** The website's public endpoints (/pub/guest.php, /pub/form/{code}), with their own per-IP limit. */
const siteRoutes: RouteInstaller = (app, services) => {
  const { config } = services;
  const shared = {
    settings: services.sites,
    guests: services.sites,
    tracking: services.tracking,
    limits: paramLimits(services),
    // One bucket per address for both endpoints.
    limiter: new LeakyBucket(PUBLIC_RATE_PLAN, services.clock),
    clientKey: (request: FastifyRequest) => clientAddress(request, config.trustProxy),
    isHttps: (request: FastifyRequest) => isHttpsRequest(request, config.trustProxy),
    log: services.log,
  };
  installGuestEndpoint(app, shared);
  installFormEndpoint(app, { ...shared, forms: services.sites, crm: crmTypedAdds({ crm: services.crm, config }) });
};

export function routeInstallers(): RouteInstaller[] {
  return [oauthRoutes, siteRoutes, trackerRoutes, dashboardRoutes];
}
