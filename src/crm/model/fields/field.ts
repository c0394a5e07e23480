// One CRM field as both REST conventions see it: the legacy UPPER_CASE name of crm.{type}.*,
// the camelCase name of crm.item.*, its type and attributes (as the *.fields pages list them)
// and where its value is kept. Every name a client sends is looked up here before it can reach
// SQL, so a column name only ever comes from these definitions.

export type FieldType =
  | 'integer'
  | 'string'
  | 'char'
  | 'double'
  | 'date'
  | 'datetime'
  | 'crm_status'
  | 'crm_currency'
  | 'crm_category'
  | 'user'
  | 'location'
  | 'crm_lead'
  | 'crm_deal'
  | 'crm_contact'
  | 'crm_company'
  | 'crm_quote'
  | 'crm_multifield';

export type FieldStorage =
  /** A column of the type's table, named as the field in lower case. */
  | 'column'
  /** A row of crm_utm (sales-intelligence.md §1.11: Bitrix keeps UTM values in b_crm_utm). */
  | 'utm'
  /** Rows of crm_multifield with TYPE_ID = the field name (PHONE, EMAIL, …). */
  | 'multifield'
  /** Contacts bound to this item through crm_contact_binding (CONTACT_IDS). */
  | 'boundContacts'
  /** Companies a contact is bound to through crm_contact_binding (COMPANY_IDS). */
  | 'boundCompanies';

/**
 * The type parameters keep a listed field's name, type and storage as literals, so the item
 * tables' row types can be derived from the field lists (src/crm/store/tables.ts).
 */
export interface CrmField<Name extends string = string, Type extends FieldType = FieldType, Storage extends FieldStorage = FieldStorage> {
  /** Legacy name (crm.deal.* and friends). */
  readonly name: Name;
  /** crm.item.* name. */
  readonly itemName: string;
  readonly type: Type;
  readonly title: string;
  readonly storage: Storage;
  /** Column name for 'column' storage. */
  readonly column: string;
  readonly required: boolean;
  /** true: read-only in both conventions; 'legacy': only crm.{type}.* refuses to write it. */
  readonly readOnly: boolean | 'legacy';
  /** Written on add only (CATEGORY_ID). */
  readonly immutable: boolean;
  readonly multiple: boolean;
  readonly deprecated: boolean;
  readonly statusType?: string;
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Free text: no 255-character limit, and `text` on crm.item.fields. */
  readonly longText: boolean;
  /** Amounts that legacy methods print with two decimals ("1000.00"). */
  readonly money: boolean;
  /** Returned by crm.{type}.get and by `*` in crm.{type}.list (multiple links are not). */
  readonly inLegacyRead: boolean;
}

export interface FieldOptions {
  readonly readOnly?: boolean | 'legacy';
  readonly required?: boolean;
  readonly immutable?: boolean;
  readonly multiple?: boolean;
  readonly deprecated?: boolean;
  readonly statusType?: string;
  readonly settings?: Record<string, unknown>;
  readonly longText?: boolean;
  readonly money?: boolean;
  readonly storage?: FieldStorage;
  readonly itemName?: string;
  readonly inLegacyRead?: boolean;
}

/** crm.item renames these audit fields on every type (crm-item-get.md examples). */
const ITEM_NAME_OVERRIDES: Record<string, string> = {
  DATE_CREATE: 'createdTime',
  DATE_MODIFY: 'updatedTime',
  CREATED_BY_ID: 'createdBy',
  MODIFY_BY_ID: 'updatedBy',
  MOVED_BY_ID: 'movedBy',
};

/** ASSIGNED_BY_ID → assignedById: the camelCase rule of universal/index.md "Field Naming Conventions". */
export function camelName(upper: string): string {
  return upper
    .toLowerCase()
    .split('_')
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');
}

/** Where `field` keeps a value: as the options say, else multi-fields in crm_multifield and the rest in a column. */
type StorageOf<Type extends FieldType, Options extends FieldOptions> = Options extends { readonly storage: infer Storage extends FieldStorage }
  ? Storage
  : Type extends 'crm_multifield'
    ? 'multifield'
    : 'column';

export function field<const Name extends string, const Type extends FieldType, const Options extends FieldOptions = {}>(
  name: Name,
  type: Type,
  title: string,
  options: Options = {} as Options,
): CrmField<Name, Type, StorageOf<Type, Options>> {
  const storage = (options.storage ?? (type === 'crm_multifield' ? 'multifield' : 'column')) as StorageOf<Type, Options>;
  return {
    name,
    itemName: options.itemName ?? ITEM_NAME_OVERRIDES[name] ?? camelName(name),
    type,
    title,
    storage,
    column: name.toLowerCase(),
    required: options.required ?? false,
    readOnly: options.readOnly ?? false,
    immutable: options.immutable ?? false,
    multiple: options.multiple ?? type === 'crm_multifield',
    deprecated: options.deprecated ?? false,
    statusType: options.statusType,
    settings: options.settings,
    longText: options.longText ?? false,
    money: options.money ?? false,
    inLegacyRead: options.inLegacyRead ?? !(storage === 'boundContacts' || storage === 'boundCompanies'),
  };
}

/** Integer fields are 32-bit columns, as Bitrix's int(11): larger numbers cannot be stored or matched. */
export {
  INTEGER_COLUMN_MIN as INT_MIN,
  INTEGER_COLUMN_MAX as INT_MAX,
  fitsIntegerColumn as fitsIntColumn,
} from '../../../db/integers.js';

/** The entity type a link field points at. */
export const LINK_TARGETS: Partial<Record<FieldType, number>> = {
  crm_lead: 1,
  crm_deal: 2,
  crm_contact: 3,
  crm_company: 4,
  crm_quote: 7,
};

export function isReadOnlyFor(f: CrmField, convention: 'legacy' | 'item'): boolean {
  return f.readOnly === true || (f.readOnly === 'legacy' && convention === 'legacy');
}

// Field groups several types share.

export const UTM_CODES = ['UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM'] as const;
export type UtmCode = (typeof UTM_CODES)[number];

export function utmFields(termTitle: string) {
  return [
    field('UTM_SOURCE', 'string', 'Advertising System', { storage: 'utm' }),
    field('UTM_MEDIUM', 'string', 'Traffic Type', { storage: 'utm' }),
    field('UTM_CAMPAIGN', 'string', 'Campaign Identifier', { storage: 'utm' }),
    field('UTM_CONTENT', 'string', 'Campaign Content', { storage: 'utm' }),
    field('UTM_TERM', 'string', termTitle, { storage: 'utm' }),
  ] as const;
}

export const MULTIFIELD_TYPES = ['PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'] as const;
export type MultifieldType = (typeof MULTIFIELD_TYPES)[number];

export function multiFields() {
  return [
    field('PHONE', 'crm_multifield', 'Phone'),
    field('EMAIL', 'crm_multifield', 'E-mail'),
    field('WEB', 'crm_multifield', 'Website'),
    field('IM', 'crm_multifield', 'Messenger'),
    field('LINK', 'crm_multifield', 'LINK'),
  ] as const;
}

export function addressFields<const Prefix extends string>(prefix: Prefix, titles: { main: string; line2: string; city: string; postal: string; region: string; province: string; country: string; countryCode: string; locAddr: string }) {
  return [
    field(prefix, 'string', titles.main, { longText: true }),
    field(`${prefix}_2`, 'string', titles.line2),
    field(`${prefix}_CITY`, 'string', titles.city),
    field(`${prefix}_POSTAL_CODE`, 'string', titles.postal),
    field(`${prefix}_REGION`, 'string', titles.region),
    field(`${prefix}_PROVINCE`, 'string', titles.province),
    field(`${prefix}_COUNTRY`, 'string', titles.country),
    field(`${prefix}_COUNTRY_CODE`, 'string', titles.countryCode),
    field(`${prefix}_LOC_ADDR_ID`, 'integer', titles.locAddr),
  ] as const;
}

export const PLAIN_ADDRESS_TITLES = {
  main: 'Address',
  line2: 'Address (Line 2)',
  city: 'City',
  postal: 'Postal Code',
  region: 'Region',
  province: 'Province',
  country: 'Country',
  countryCode: 'Country Code',
  locAddr: 'Location Address ID',
};
