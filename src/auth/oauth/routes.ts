// The OAuth endpoints, registered before the REST catch-all (src/routes.ts).
import type { RouteInstaller } from '../../server.js';
import { authorizeHandler } from './authorizeEndpoint.js';
import { handleTokenRequest } from './tokenEndpoint.js';

export const oauthRoutes: RouteInstaller = (app, services) => {
  const authorize = authorizeHandler(services);
  for (const url of ['/oauth/token/', '/oauth/token']) {
    app.route({ method: ['GET', 'POST'], url, handler: (request, reply) => handleTokenRequest(services, request, reply) });
  }
  for (const url of ['/oauth/authorize/', '/oauth/authorize']) {
    app.route({ method: ['GET', 'POST'], url, handler: authorize });
  }
};
