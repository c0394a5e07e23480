// What the telephony methods ask of the server: their own module's contract, CRM's items by
// number and read permission, and who may call.
import type { AppDescriber } from '../../auth/contract.js';
import type { CrmCallItems, CrmItemAccess, CrmItemReading } from '../../crm/contract.js';
import type { TelephonyPort } from '../contract.js';

export interface TelephonyPorts {
  readonly telephony: TelephonyPort;
  readonly crm: CrmItemReading & Pick<CrmItemAccess, 'canUpdate'> & Pick<CrmCallItems, 'findByPhone'>;
  readonly apps: AppDescriber | null;
}
