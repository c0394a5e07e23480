// Which parts of an item a selection needs, so lists load UTM rows, multi-fields and bindings
// only when they are printed.
import type { Selection } from './listQuery.js';
import type { ItemParts } from '../store/itemList.js';

export function partsFor(selection: Selection): ItemParts {
  return {
    utm: selection.fields.some((f) => f.storage === 'utm'),
    multifields: selection.fm || selection.fields.some((f) => f.storage === 'multifield'),
    bindings: selection.fields.some((f) => f.storage === 'boundContacts' || f.storage === 'boundCompanies'),
  };
}
