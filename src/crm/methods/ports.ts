// What the CRM methods ask of the server: the CRM service of their own module and the
// field-checking switch of `serve --strict-fields`.
import type { Config } from '../../config.js';
import type { CrmService } from '../services/crmService.js';

export interface CrmPorts {
  readonly crm: CrmService;
  readonly config: Pick<Config, 'strictFields'>;
}
