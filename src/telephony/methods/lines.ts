// telephony.externalLine.{add,get,update,delete}: the application's external lines
// (telephony-external-line-*.md). Their numbers join the phone pool (tracker-and-calls.md §4.2).
import { restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import { callOwner } from './owner.js';
import { textParam } from './params.js';
import type { TelephonyPorts } from './ports.js';

type LinePorts = Pick<TelephonyPorts, 'telephony' | 'apps'>;

function lineNumber(params: Record<string, unknown>): string {
  const number = textParam(params.NUMBER);
  if (number === undefined) throw restError('TELEPHONY_LINE_NUMBER_EMPTY');
  return number;
}

/** CRM_AUTO_CREATE: "N" turns it off; anything else given is "Y". */
function autoCreate(value: unknown): string {
  return textParam(value)?.toUpperCase() === 'N' ? 'N' : 'Y';
}

export const lineAddMethod = defineMethod<LinePorts>({
  name: 'telephony.externalline.add',
  scope: 'telephony',
  async handler({ params, caller, ports: { telephony, apps } }) {
    const number = lineNumber(params);
    const id = await telephony.addLine(await callOwner(caller, apps), number, textParam(params.NAME) ?? '', autoCreate(params.CRM_AUTO_CREATE));
    return { ID: id };
  },
});

export const lineGetMethod = defineMethod<LinePorts>({
  name: 'telephony.externalline.get',
  scope: 'telephony',
  async handler({ caller, ports: { telephony, apps } }) {
    const lines = await telephony.lines(await callOwner(caller, apps));
    return lines.map((line) => ({ NUMBER: line.number, NAME: line.name, CRM_AUTO_CREATE: line.crm_auto_create }));
  },
});

export const lineUpdateMethod = defineMethod<LinePorts>({
  name: 'telephony.externalline.update',
  scope: 'telephony',
  async handler({ params, caller, ports: { telephony, apps } }) {
    const number = lineNumber(params);
    const changes = {
      ...(params.NAME !== undefined && { name: textParam(params.NAME) ?? '' }),
      ...(params.CRM_AUTO_CREATE !== undefined && { crmAutoCreate: autoCreate(params.CRM_AUTO_CREATE) }),
    };
    if (Object.keys(changes).length === 0) throw restError('TELEPHONY_LINE_NO_FIELDS');
    // The docs' example answers the ID as a string.
    return { ID: String(await telephony.updateLine(await callOwner(caller, apps), number, changes)) };
  },
});

export const lineDeleteMethod = defineMethod<LinePorts>({
  name: 'telephony.externalline.delete',
  scope: 'telephony',
  async handler({ params, caller, ports: { telephony, apps } }) {
    const number = lineNumber(params);
    await telephony.deleteLine(await callOwner(caller, apps), number);
    return [];
  },
});
