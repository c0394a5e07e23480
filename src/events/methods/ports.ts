// What the event.* methods ask of the server: the events module's own contract.
import type { EventsPort } from '../contract.js';

export interface EventPorts {
  readonly events: EventsPort;
}
