// Non-REST HTTP routes each module contributes (OAuth endpoints and the like).
import { oauthRoutes } from './auth/oauth/routes.js';
import { dashboardRoutes } from './dashboard/routes.js';
import type { RouteInstaller } from './server.js';

export function routeInstallers(): RouteInstaller[] {
  return [oauthRoutes, dashboardRoutes];
}
