// crm.tracking.trace.delete (sales-intelligence.md §2.7; bitrix24-docs crm-tracking-trace-delete.md).
import { restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import type { TrackingPorts } from './ports.js';
import { isPhpArray, phpEmpty, phpIntval } from '../../php/values.js';

export const traceDeleteMethod = defineMethod<Pick<TrackingPorts, 'tracking'>>({
  name: 'crm.tracking.trace.delete',
  scope: 'crm',
  batch: true,
  async handler({ params, caller, ports: { tracking } }) {
    // Only the lower-case `id`, cast as PHP's (int). An array would cast to 1 in PHP and
    // delete trace 1; Salestrace refuses it instead (COMPATIBILITY.md).
    const raw = params.id;
    const id = phpEmpty(raw) || isPhpArray(raw) ? 0 : phpIntval(raw);
    if (id === 0) throw restError('TRACE_ID_REQUIRED');
    await tracking.delete(id, caller);
    return null;
  },
});
