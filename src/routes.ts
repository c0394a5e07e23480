// Non-REST HTTP routes each module contributes (OAuth endpoints and the like).
import type { RouteInstaller } from './server.js';

export function routeInstallers(): RouteInstaller[] {
  return [];
}
