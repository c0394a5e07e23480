// What the Sales Intelligence methods ask of the server: their own module's contract, and
// CRM's answer to whether a caller may read an item.
import type { CrmItemReading } from '../../crm/contract.js';
import type { TrackingPort } from '../contract.js';

export interface TrackingPorts {
  readonly tracking: TrackingPort;
  readonly crm: CrmItemReading;
}
