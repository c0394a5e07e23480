// CRM items for `salestrace seed`: companies, contacts, leads and deals with the columns
// CrmService.addItem would give them (its defaults, stage rules and column mapping are reused),
// their phones and e-mails, contact bindings and UTM values.
import { CRM_ENTITY_TYPES, addDefaults, applyStage, crmTypeById, itemColumns, type CrmType } from '../crm/contract.js';
import type { ItemRef } from '../tracking/traceStore.js';
import type { SeededRandom } from './random.js';
import type { InsertStatements } from './sqlite.js';
import { itemKey, type TimeWindow } from './world.js';

const FIRST_NAMES = ['Anna', 'Boris', 'Carla', 'David', 'Elena', 'Farid', 'Greta', 'Hugo', 'Irina', 'Jonas', 'Katya', 'Liam', 'Maria', 'Nikolai', 'Olivia', 'Pavel', 'Quinn', 'Rosa', 'Sven', 'Tanya'];
const LAST_NAMES = ['Andersen', 'Baker', 'Costa', 'Dubois', 'Evans', 'Fischer', 'Garcia', 'Horvat', 'Ivanova', 'Jensen', 'Kowalski', 'Lopez', 'Moreau', 'Novak', 'Olsen', 'Petrov', 'Rossi', 'Schmidt', 'Tanaka', 'Weber'];
const COMPANY_WORDS = ['Northwind', 'Bluebird', 'Ironbark', 'Silverline', 'Greenfield', 'Redwood', 'Brightwater', 'Stonegate', 'Sunpeak', 'Oakridge'];
const COMPANY_KINDS = ['Traders', 'Logistics', 'Outfitters', 'Sports', 'Retail', 'Systems', 'Supplies', 'Group'];
const PRODUCTS = ['running shoes', 'trail jacket', 'yoga mat', 'water bottle', 'head lamp', 'rain poncho', 'gym bag', 'wool socks', 'tent', 'sleeping bag'];
const ITEM_UTM = [
  { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc', UTM_CAMPAIGN: 'brand_search' },
  { UTM_SOURCE: 'newsletter', UTM_MEDIUM: 'email', UTM_CAMPAIGN: 'monthly_digest' },
  { UTM_SOURCE: 'fb', UTM_MEDIUM: 'social', UTM_CAMPAIGN: 'spring_sale' },
  { UTM_SOURCE: 'pricecompare', UTM_MEDIUM: 'cpc', UTM_CAMPAIGN: 'listing' },
];

/** Who the seeded items belong to: existing users share them; user 1 makes the changes. */
export interface ItemOwners {
  readonly assignees: readonly number[];
  readonly author: number;
}

export interface SeededItems {
  readonly items: ItemRef[];
  /** Keys (itemKey) of the new items that got UTM rows. */
  readonly withUtm: Set<string>;
}

/** How many items of each type make up `count`: 10% companies, 35% contacts, 25% leads, 30% deals. */
export function itemMix(count: number): { companies: number; contacts: number; leads: number; deals: number } {
  const companies = Math.floor(count * 0.1);
  const leads = Math.floor(count * 0.25);
  const deals = Math.floor(count * 0.3);
  return { companies, contacts: count - companies - leads - deals, leads, deals };
}

class ItemWriter {
  readonly items: ItemRef[] = [];
  readonly withUtm = new Set<string>();
  /** Per company, the last `sort` of its contact bindings (replaceBoundCompanies appends). */
  private readonly companySort = new Map<number, number>();

  constructor(
    private readonly rows: InsertStatements,
    private readonly random: SeededRandom,
    private readonly window: TimeWindow,
    private readonly owners: ItemOwners,
  ) {}

  /** One item as CrmService.addItem writes it; `fields` are the caller's field values. */
  add(type: CrmType, fields: Record<string, unknown>, extras: { phone?: string; email?: string } = {}): number {
    const now = this.window.start + Math.floor(this.random.next() * this.window.seconds);
    const values = addDefaults(type, now);
    for (const [name, value] of Object.entries(fields)) values.set(name, value);
    values.set('ASSIGNED_BY_ID', this.random.pick(this.owners.assignees));
    const author = this.owners.author;
    for (const [name, value] of [
      ['CREATED_BY_ID', author],
      ['MODIFY_BY_ID', author],
      ['DATE_CREATE', now],
      ['DATE_MODIFY', now],
      ['LAST_ACTIVITY_TIME', now],
      ['LAST_ACTIVITY_BY', author],
    ] as const) {
      if (type.byName(name)) values.set(name, value);
    }
    if (type.stages) applyStage(type, values, undefined, author, now);
    // The multi-field flags writeMultifields sets right after the insert.
    if (extras.phone !== undefined) values.set('HAS_PHONE', 'Y');
    if (extras.email !== undefined) values.set('HAS_EMAIL', 'Y');

    const id = this.rows.insert(type.table, itemColumns(type, values));
    const contactId = values.get('CONTACT_ID');
    if (typeof contactId === 'number') {
      this.rows.insert('crm_contact_binding', { owner_type_id: type.id, owner_id: id, contact_id: contactId, sort: 10 });
    }
    const companyId = values.get('COMPANY_ID');
    if (type.id === CRM_ENTITY_TYPES.CONTACT && typeof companyId === 'number') {
      const sort = (this.companySort.get(companyId) ?? 0) + 10;
      this.companySort.set(companyId, sort);
      this.rows.insert('crm_contact_binding', { owner_type_id: CRM_ENTITY_TYPES.COMPANY, owner_id: companyId, contact_id: id, sort });
    }
    const multifield = (typeId: string, value: string) =>
      this.rows.insert('crm_multifield', { entity_type_id: type.id, entity_id: id, type_id: typeId, value_type: 'WORK', value });
    if (extras.phone !== undefined) multifield('PHONE', extras.phone);
    if (extras.email !== undefined) multifield('EMAIL', extras.email);
    if (this.random.chance(0.5)) {
      for (const [code, value] of Object.entries(this.random.pick(ITEM_UTM))) {
        this.rows.insert('crm_utm', { entity_type_id: type.id, entity_id: id, code, value });
      }
      this.withUtm.add(itemKey({ entityTypeId: type.id, entityId: id }));
    }
    this.items.push({ entityTypeId: type.id, entityId: id });
    return id;
  }
}

function person(random: SeededRandom): { name: string; lastName: string; phone: string; email: string } {
  const name = random.pick(FIRST_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const number = random.int(1000000, 9999999);
  return {
    name,
    lastName,
    phone: `+1 555 ${String(number).slice(0, 3)}-${String(number).slice(3)}`,
    email: `${name}.${lastName}.${number}@example.com`.toLowerCase(),
  };
}

/** Writes `count` items; call inside a transaction. */
export function seedItems(rows: InsertStatements, random: SeededRandom, count: number, window: TimeWindow, owners: ItemOwners): SeededItems {
  const writer = new ItemWriter(rows, random, window, owners);
  const mix = itemMix(count);
  const type = (id: number) => crmTypeById(id)!;
  const companies: number[] = [];
  const contacts: number[] = [];

  for (let i = 0; i < mix.companies; i++) {
    const title = `${random.pick(COMPANY_WORDS)} ${random.pick(COMPANY_KINDS)} ${i + 1}`;
    const phone = `+1 555 ${random.int(100, 999)}-${random.int(1000, 9999)}`;
    companies.push(writer.add(type(CRM_ENTITY_TYPES.COMPANY), { TITLE: title, COMPANY_TYPE: 'CUSTOMER', REVENUE: random.int(10, 5000) * 1000 }, { phone }));
  }
  for (let i = 0; i < mix.contacts; i++) {
    const who = person(random);
    const fields: Record<string, unknown> = { NAME: who.name, LAST_NAME: who.lastName, TYPE_ID: 'CLIENT' };
    if (companies.length > 0 && random.chance(0.3)) fields.COMPANY_ID = random.pick(companies);
    contacts.push(writer.add(type(CRM_ENTITY_TYPES.CONTACT), fields, { phone: who.phone, email: who.email }));
  }
  const leadStages = type(CRM_ENTITY_TYPES.LEAD).stages!.stages;
  for (let i = 0; i < mix.leads; i++) {
    const who = person(random);
    writer.add(
      type(CRM_ENTITY_TYPES.LEAD),
      {
        TITLE: `Website inquiry: ${random.pick(PRODUCTS)}`,
        NAME: who.name,
        LAST_NAME: who.lastName,
        STATUS_ID: random.pick(leadStages).id,
        SOURCE_ID: 'WEB',
        OPPORTUNITY: random.int(2, 200) * 10,
      },
      { phone: who.phone, email: who.email },
    );
  }
  const dealStages = type(CRM_ENTITY_TYPES.DEAL).stages!.stages;
  for (let i = 0; i < mix.deals; i++) {
    const fields: Record<string, unknown> = {
      TITLE: `Order #${i + 1}: ${random.pick(PRODUCTS)}`,
      STAGE_ID: random.pick(dealStages).id,
      OPPORTUNITY: random.int(5, 2000) * 10,
      SOURCE_ID: 'WEB',
    };
    if (contacts.length > 0 && random.chance(0.7)) fields.CONTACT_ID = random.pick(contacts);
    if (companies.length > 0 && random.chance(0.4)) fields.COMPANY_ID = random.pick(companies);
    writer.add(type(CRM_ENTITY_TYPES.DEAL), fields);
  }
  return { items: writer.items, withUtm: writer.withUtm };
}
