// What the site tracker's methods ask of the server.
import type { Config } from '../../config.js';
import type { TrackerPort } from '../contract.js';

export interface TrackerPorts {
  readonly tracker: TrackerPort;
  readonly config: Config;
}
