// salestrace.attribution.window.get and .set: the attribution window's length in days and its
// switch for items added without a visit (sales-intelligence.md §4.4). Administrators only, as
// Sales Intelligence settings are in Bitrix24.
import { argumentError } from '../../../rest/errors.js';
import { defineMethod } from '../../../rest/method.js';
import { paramCaseInsensitive } from '../../../php/values.js';
import type { AttributionPorts, WindowSettings } from '../contract.js';
import { requireAdmin } from './reportMethods.js';

function view(settings: WindowSettings) {
  return { days: settings.days, offline: settings.offline ? 'Y' : 'N' };
}

export const windowGetMethod = defineMethod<AttributionPorts>({
  name: 'salestrace.attribution.window.get',
  scope: 'crm',
  async handler({ caller, ports: { attribution } }) {
    requireAdmin(caller);
    return view(await attribution.windowSettings());
  },
});

export const windowSetMethod = defineMethod<AttributionPorts>({
  name: 'salestrace.attribution.window.set',
  scope: 'crm',
  async handler({ params, caller, ports: { attribution } }) {
    requireAdmin(caller);
    const changes: { days?: number; offline?: boolean } = {};
    const days = paramCaseInsensitive(params, 'days');
    if (days !== undefined) {
      const text = typeof days === 'number' ? String(days) : typeof days === 'string' ? days.trim() : '';
      // Any whole number; out of 1..180 it is clamped, as Bitrix's settings page does.
      if (!/^-?\d{1,9}$/.test(text)) throw argumentError('ATTRIBUTION_WINDOW_DAYS_INVALID', 'days');
      changes.days = Number(text);
    }
    const offline = paramCaseInsensitive(params, 'offline');
    if (offline !== undefined) {
      if (offline !== 'Y' && offline !== 'N') throw argumentError('ATTRIBUTION_WINDOW_OFFLINE_INVALID', 'offline');
      changes.offline = offline === 'Y';
    }
    return view(await attribution.saveWindowSettings(changes));
  },
});
