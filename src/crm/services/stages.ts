// What moving an item to a stage changes besides the stage (`salestrace seed` applies the same).
import type { ItemRow } from '../store/items.js';
import { findStage } from '../model/stages.js';
import type { CrmType } from '../model/types.js';

/** The stage semantic and the fields that follow a stage change; `userId` is who moves it. */
export function applyStage(type: CrmType, values: Map<string, unknown>, current: ItemRow | undefined, userId: number, now: number): void {
  const list = type.stages!;
  const stageId = String(values.get(list.field));
  const stage = findStage(list, stageId) ?? list.stages[0];
  values.set(list.field, stage.id);
  if (list.semanticField) values.set(list.semanticField, stage.semantic);
  if (type.byName('MOVED_BY_ID')) values.set('MOVED_BY_ID', userId);
  if (type.byName('MOVED_TIME')) values.set('MOVED_TIME', now);
  if (type.byName('IS_NEW')) values.set('IS_NEW', stage.id === list.stages[0].id ? 'Y' : 'N');
  if (type.byName('CLOSED') && (stage.semantic !== 'P' || current !== undefined)) values.set('CLOSED', stage.semantic === 'P' ? 'N' : 'Y');
  if (type.byName('DATE_CLOSED')) values.set('DATE_CLOSED', stage.semantic === 'P' ? null : now);
}
