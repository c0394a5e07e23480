// Reading method parameters the way each REST convention does.
import { restError } from '../../rest/errors.js';
import { isPhpArray, phpEntries, phpIntval, phpIsNumeric, phpString, type PhpArray } from '../../php/values.js';
import { newPhpMap, type PhpMap } from '../../php/query.js';

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * CCrmRestHelper::resolveArrayParam: `fields`, then `FIELDS`, `fields`, `Fields` and `arFields`;
 * absent means an empty array. The caller checks that the value is an array.
 */
export function legacyArrayParam(params: PhpMap, name: string): unknown {
  const lower = name.toLowerCase();
  const capitalized = lower.charAt(0).toUpperCase() + lower.slice(1);
  for (const key of [name, name.toUpperCase(), lower, capitalized, `ar${capitalized}`]) {
    if (isSet(params[key])) return params[key];
  }
  return [];
}

/** CCrmRestHelper::resolveEntityID: `ID`, then `id`, as an integer (0 when absent). */
export function legacyEntityId(params: PhpMap): number {
  if (isSet(params.ID)) return phpIntval(params.ID);
  if (isSet(params.id)) return phpIntval(params.id);
  return 0;
}

// crm.item.*: D7 controllers bind named, typed parameters.

export function itemIntParam(params: PhpMap, name: string): number {
  const raw = params[name];
  if (!isSet(raw)) throw restError('CRM_PARAMETER_MISSING', { name });
  if (!phpIsNumeric(raw)) {
    throw restError('CRM_PARAMETER_TYPE', { value: isPhpArray(raw) ? 'Array' : phpString(raw), name, type: 'int' });
  }
  return phpIntval(raw);
}

export function itemArrayParam(params: PhpMap, name: string, required: boolean): PhpArray | undefined {
  const raw = params[name];
  if (!isSet(raw)) {
    if (required) throw restError('CRM_PARAMETER_MISSING', { name });
    return undefined;
  }
  if (!isPhpArray(raw)) throw restError('CRM_PARAMETER_TYPE', { value: phpString(raw), name, type: 'array' });
  return raw;
}

/** The `fields` parameter as a map (a JSON list becomes keys "0", "1", …), for the add hooks. */
export function asMap(fields: PhpArray): PhpMap {
  if (!Array.isArray(fields)) return fields;
  const map = newPhpMap();
  for (const [key, value] of phpEntries(fields)) map[key] = value;
  return map;
}
