// CrmTypedAdds (src/crm/contract.ts): crm.{type}.add for another module that writes in the same
// transaction, with the legacy family's checks and answers.
import type { Caller } from '../../auth/caller.js';
import type { Executor } from '../../db/schema.js';
import type { PhpMap } from '../../php/query.js';
import type { CrmEntityTypeId, CrmTypedAdds } from '../contract.js';
import { crmTypeById } from '../model/types.js';
import { withLegacyErrors } from './conventions.js';
import { addLegacyItem } from './legacy.js';
import type { CrmPorts } from './ports.js';

export function crmTypedAdds(ports: CrmPorts): CrmTypedAdds {
  return {
    inTransaction: <T>(work: (db: Executor) => Promise<T>) => ports.crm.inTransaction(work),
    addTyped: (db: Executor, entityTypeId: CrmEntityTypeId, fields: PhpMap, caller: Caller) =>
      withLegacyErrors(() => addLegacyItem(ports, crmTypeById(entityTypeId)!, fields, caller, db)),
  };
}
