// salestrace.site.loader: the loader snippet a site owner pastes into every page (the portal's
// "own site" page shows it), with the form hook. The address is `serve --public-url`, else the
// listening address.
import { defineMethod } from '../../rest/method.js';
import type { TrackerPorts } from './ports.js';

export const siteLoaderMethod = defineMethod<Pick<TrackerPorts, 'tracker' | 'config'>>({
  name: 'salestrace.site.loader',
  scope: 'crm',
  handler({ ports: { tracker, config } }) {
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const snippet = tracker.loader(tracker.publicAddress(`http://${host}:${config.port}`));
    return { URL: snippet.url, LOADER: snippet.loader, FORM_HOOK: snippet.formHook };
  },
});
