// The role model over real sockets: for every type and action, NONE / OWN / ALL on both method
// families, users without a role, users with several roles, administrators, and the
// canUpdate / itemExists contract Sales Intelligence uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_ENTITY_TYPES, type CrmEntityTypeName } from '../../src/crm/contract.js';
import type { CrmAction, PermissionLevel } from '../../src/crm/model/permissions.js';
import { permissionLevel } from '../../src/crm/services/permissions.js';
import { assignRole, createRole } from '../../src/crm/store/roles.js';
import type { Caller } from '../../src/auth/caller.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { TYPE_METHODS, crmSnapshot, grantAll, minimalFields, ok, userWithGrants, type Grants, type TestUser } from './helpers.js';

let server: TestServer;

function everything(level: PermissionLevel): Grants {
  const actions: Partial<Record<CrmAction, PermissionLevel>> = { READ: level, ADD: level, WRITE: level, DELETE: level };
  return { LEAD: actions, DEAL: actions, CONTACT: actions, COMPANY: actions, QUOTE: actions };
}

let none: TestUser;
let noRole: TestUser;
let own: TestUser;
let all: TestUser;
let admin: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  none = await userWithGrants(server, everything('NONE'));
  noRole = await userWithGrants(server, null);
  own = await userWithGrants(server, everything('OWN'));
  all = await userWithGrants(server, everything('ALL'));
  admin = await userWithGrants(server, null, { admin: true });
});
afterAll(async () => {
  await server.close();
});

const DENIED = { error: '', error_description: 'Access denied.' };

function titleOf(method: string): string {
  return method === 'contact' ? 'NAME' : 'TITLE';
}

/** One item assigned to the OWN user and one assigned to the administrator (user 1). */
async function ownAndForeign(method: string): Promise<{ mine: number; foreign: number }> {
  const mine = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method, 'Mine'), ASSIGNED_BY_ID: own.id } });
  const foreign = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method, 'Foreign'), ASSIGNED_BY_ID: 1 } });
  return { mine, foreign };
}

describe.each(TYPE_METHODS)('%s', (name, method) => {
  const entityTypeId = CRM_ENTITY_TYPES[name as CrmEntityTypeName];

  it('READ: OWN sees only its own items, ALL everything, NONE and no role nothing', async () => {
    const { mine, foreign } = await ownAndForeign(method);
    // Legacy get.
    expect((await ok(server, `crm.${method}.get`, { id: mine }, own.base)).ID).toBe(String(mine));
    expect((await callJson(server, `crm.${method}.get`, { id: foreign }, own.base)).body).toEqual(DENIED);
    expect((await ok(server, `crm.${method}.get`, { id: foreign }, all.base)).ID).toBe(String(foreign));
    expect((await ok(server, `crm.${method}.get`, { id: foreign }, admin.base)).ID).toBe(String(foreign));
    for (const user of [none, noRole]) {
      const answer = await callJson(server, `crm.${method}.get`, { id: mine }, user.base);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(DENIED);
    }
    // Legacy list.
    const filter = { '@ID': [mine, foreign] };
    expect((await ok(server, `crm.${method}.list`, { filter, select: ['ID'] }, own.base)).map((r: any) => Number(r.ID))).toEqual([mine]);
    expect((await ok(server, `crm.${method}.list`, { filter, select: ['ID'] }, all.base)).map((r: any) => Number(r.ID))).toEqual([mine, foreign]);
    expect((await callJson(server, `crm.${method}.list`, { filter }, none.base)).body).toEqual(DENIED);
    expect((await callJson(server, `crm.${method}.list`, { filter }, noRole.base)).body).toEqual(DENIED);
    // crm.item.get / list.
    expect((await ok(server, 'crm.item.get', { entityTypeId, id: mine }, own.base)).item.id).toBe(mine);
    const foreignItem = await callJson(server, 'crm.item.get', { entityTypeId, id: foreign }, own.base);
    expect(foreignItem.status).toBe(400);
    expect(foreignItem.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'You do not have permission to view this item' });
    const itemFilter = { '@id': [mine, foreign] };
    const ownList = await callJson(server, 'crm.item.list', { entityTypeId, filter: itemFilter, select: ['id'] }, own.base);
    expect(ownList.body.result).toEqual({ items: [{ id: mine }] });
    expect(ownList.body.total).toBe(1);
    const noneList = await callJson(server, 'crm.item.list', { entityTypeId, filter: itemFilter, select: ['id'] }, none.base);
    expect(noneList.body.result).toEqual({ items: [] });
    expect(noneList.body.total).toBe(0);
    expect((await ok(server, 'crm.item.list', { entityTypeId, filter: itemFilter, select: ['id'] }, all.base)).items).toHaveLength(2);
    // Fields: legacy ones are open to anybody, crm.item.fields needs read access.
    expect(Object.keys(await ok(server, `crm.${method}.fields`, {}, noRole.base))).toContain('ID');
    expect((await callJson(server, 'crm.item.fields', { entityTypeId }, noRole.base)).body).toEqual({
      error: 'ACCESS_DENIED',
      error_description: 'You do not have permission to view this item',
    });
    expect((await ok(server, 'crm.item.fields', { entityTypeId }, own.base)).fields.id).toBeDefined();
  });

  it('ADD: NONE refuses, OWN stays responsible, ALL may assign anybody', async () => {
    const before = await crmSnapshot(server);
    expect((await callJson(server, `crm.${method}.add`, { fields: minimalFields(method) }, none.base)).body).toEqual(DENIED);
    expect((await callJson(server, `crm.${method}.add`, { fields: minimalFields(method) }, noRole.base)).body).toEqual(DENIED);
    expect((await callJson(server, 'crm.item.add', { entityTypeId, fields: {} }, none.base)).body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied' });
    expect(await crmSnapshot(server)).toEqual(before);

    const byOwn = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), ASSIGNED_BY_ID: all.id } }, own.base);
    expect((await ok(server, `crm.${method}.get`, { id: byOwn })).ASSIGNED_BY_ID).toBe(String(own.id));
    const itemByOwn = await ok(server, 'crm.item.add', { entityTypeId, fields: { assignedById: all.id } }, own.base);
    expect(itemByOwn.item.assignedById).toBe(own.id);
    expect(itemByOwn.item.createdBy).toBe(own.id);

    const byAll = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), ASSIGNED_BY_ID: own.id } }, all.base);
    const created = await ok(server, `crm.${method}.get`, { id: byAll });
    expect(created.ASSIGNED_BY_ID).toBe(String(own.id));
    expect(created.CREATED_BY_ID).toBe(String(all.id));
  });

  it('WRITE: OWN edits only its own items and cannot give them away', async () => {
    const { mine, foreign } = await ownAndForeign(method);
    const title = titleOf(method);
    const before = await crmSnapshot(server);
    expect((await callJson(server, `crm.${method}.update`, { id: foreign, fields: { [title]: 'Hijack' } }, own.base)).body).toEqual(DENIED);
    expect((await callJson(server, `crm.${method}.update`, { id: mine, fields: { [title]: 'Hijack' } }, none.base)).body).toEqual(DENIED);
    expect((await callJson(server, 'crm.item.update', { entityTypeId, id: foreign, fields: { comments: 'x' } }, own.base)).body).toEqual({
      error: 'ACCESS_DENIED',
      error_description: 'Access denied',
    });
    expect(await crmSnapshot(server)).toEqual(before);

    await ok(server, `crm.${method}.update`, { id: mine, fields: { [title]: 'Edited', ASSIGNED_BY_ID: all.id } }, own.base);
    const edited = await ok(server, `crm.${method}.get`, { id: mine });
    expect(edited[title]).toBe('Edited');
    expect(edited.ASSIGNED_BY_ID).toBe(String(own.id));
    expect((await ok(server, 'crm.item.update', { entityTypeId, id: mine, fields: { comments: 'own edit' } }, own.base)).item.comments).toBe('own edit');
    await ok(server, `crm.${method}.update`, { id: foreign, fields: { ASSIGNED_BY_ID: own.id } }, all.base);
    expect((await ok(server, `crm.${method}.get`, { id: foreign })).ASSIGNED_BY_ID).toBe(String(own.id));
  });

  it('DELETE: OWN deletes only its own items', async () => {
    const { mine, foreign } = await ownAndForeign(method);
    const before = await crmSnapshot(server);
    expect((await callJson(server, `crm.${method}.delete`, { id: foreign }, own.base)).body).toEqual(DENIED);
    expect((await callJson(server, `crm.${method}.delete`, { id: mine }, none.base)).body).toEqual(DENIED);
    expect((await callJson(server, 'crm.item.delete', { entityTypeId, id: foreign }, own.base)).body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied' });
    expect(await crmSnapshot(server)).toEqual(before);
    expect(await ok(server, `crm.${method}.delete`, { id: mine }, own.base)).toBe(true);
    expect(await ok(server, 'crm.item.delete', { entityTypeId, id: foreign }, all.base)).toEqual([]);
  });

  it('a missing ID: the legacy permission check comes first, crm.item says NOT_FOUND', async () => {
    const missing = 987654;
    // Deals look the item up first (restservice.php CCrmDealRestProxy); the other types check access first.
    const ownAnswer = method === 'deal' ? { error: '', error_description: 'Not found' } : DENIED;
    expect((await callJson(server, `crm.${method}.get`, { id: missing }, own.base)).body).toEqual(ownAnswer);
    expect((await callJson(server, `crm.${method}.get`, { id: missing }, all.base)).body).toEqual({ error: '', error_description: 'Not found' });
    const noneAnswer = method === 'deal' ? { error: '', error_description: 'Access denied' } : DENIED;
    expect((await callJson(server, `crm.${method}.get`, { id: missing }, none.base)).body).toEqual(noneAnswer);
    expect((await callJson(server, 'crm.item.get', { entityTypeId, id: missing }, none.base)).body).toEqual({ error: 'NOT_FOUND', error_description: 'Element not found' });
  });
});

describe('several roles and the contract', () => {
  it('a user with several roles gets the widest grant of each', async () => {
    const user = await userWithGrants(server, { DEAL: { READ: 'OWN', ADD: 'NONE' } });
    const db = server.services.db;
    const wider = await createRole(db, 'wider', server.clock.now() / 1000);
    await grantAll(server, wider.id, { DEAL: { READ: 'ALL' }, LEAD: { ADD: 'OWN' } });
    await assignRole(db, user.id, wider.id);
    const foreign = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Anyone' } });
    expect((await ok(server, 'crm.deal.get', { id: foreign }, user.base)).TITLE).toBe('Anyone');
    expect((await callJson(server, 'crm.deal.add', { fields: { TITLE: 'x' } }, user.base)).body).toEqual(DENIED);
    expect(Number.isInteger(await ok(server, 'crm.lead.add', { fields: { TITLE: 'x' } }, user.base))).toBe(true);
  });

  it('the widest grant wins whatever order the roles were created and assigned in', async () => {
    const db = server.services.db;
    const foreign = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Foreign deal' } });
    const permutations: PermissionLevel[][] = [
      ['NONE', 'OWN', 'ALL'],
      ['NONE', 'ALL', 'OWN'],
      ['OWN', 'NONE', 'ALL'],
      ['OWN', 'ALL', 'NONE'],
      ['ALL', 'NONE', 'OWN'],
      ['ALL', 'OWN', 'NONE'],
    ];
    for (const levels of [...permutations, ['NONE', 'OWN'], ['OWN', 'NONE']] as PermissionLevel[][]) {
      const order = levels.join(',');
      const user = await userWithGrants(server, null);
      const roles = [];
      for (const level of levels) {
        const role = await createRole(db, `order ${order} ${level} ${user.id}`, server.clock.now() / 1000);
        await grantAll(server, role.id, { DEAL: { READ: level } });
        roles.push(role);
      }
      // Assigned in the opposite order to their creation, so neither order decides alone.
      for (const role of [...roles].reverse()) await assignRole(db, user.id, role.id);
      const widest: PermissionLevel = levels.includes('ALL') ? 'ALL' : 'OWN';
      const caller: Caller = { userId: user.id, isAdmin: false, authType: 'webhook', credentialId: 0, scopes: new Set(['crm']) };
      expect(await permissionLevel(db, caller, CRM_ENTITY_TYPES.DEAL, 'READ'), order).toBe(widest);
      const mine = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Own deal', ASSIGNED_BY_ID: user.id } });
      expect((await ok(server, 'crm.deal.get', { id: mine }, user.base)).TITLE, order).toBe('Own deal');
      const other = await callJson(server, 'crm.deal.get', { id: foreign }, user.base);
      if (widest === 'ALL') expect(other.body.result?.TITLE, order).toBe('Foreign deal');
      else expect(other.body, order).toEqual(DENIED);
    }
  });

  it('canUpdate is CheckUpdatePermission: OWN for own items, ALL and admins even for missing ones', async () => {
    const crm = server.services.crm;
    const caller = (user: TestUser, isAdmin = false): Caller => ({ userId: user.id, isAdmin, authType: 'webhook', credentialId: 0, scopes: new Set(['crm']) });
    for (const [name, method] of TYPE_METHODS) {
      const typeId = CRM_ENTITY_TYPES[name];
      const { mine, foreign } = await ownAndForeign(method);
      expect(await crm.canUpdate(typeId, mine, caller(own))).toBe(true);
      expect(await crm.canUpdate(typeId, foreign, caller(own))).toBe(false);
      expect(await crm.canUpdate(typeId, 999999, caller(own))).toBe(false);
      expect(await crm.canUpdate(typeId, foreign, caller(all))).toBe(true);
      expect(await crm.canUpdate(typeId, 999999, caller(all))).toBe(true);
      expect(await crm.canUpdate(typeId, 999999, caller(admin, true))).toBe(true);
      expect(await crm.canUpdate(typeId, mine, caller(none))).toBe(false);
      expect(await crm.canUpdate(typeId, mine, caller(noRole))).toBe(false);
      expect(await crm.itemExists(typeId, mine)).toBe(true);
      expect(await crm.itemExists(typeId, 999999)).toBe(false);
      // Inside a transaction the hooks see through the same connection.
      await server.services.db.transaction().execute(async (trx) => {
        expect(await crm.canUpdate(typeId, mine, caller(own), trx)).toBe(true);
        expect(await crm.itemExists(typeId, mine, trx)).toBe(true);
      });
    }
    expect(await crm.canUpdate(128, 1, caller(all))).toBe(false);
    expect(await crm.canUpdate(128, 1, caller(admin, true))).toBe(true);
    expect(await crm.itemExists(128, 1)).toBe(false);
  });
});
