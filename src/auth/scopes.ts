// Scope codes (bitrix24-docs/api-reference/scopes/permissions.md) and the check of
// rest-protocol.md §7: a method's scope must be granted; `user` is also granted by
// `user_brief` or `user_basic` (core's fillAlternativeScope).

export const KNOWN_SCOPES: readonly string[] = [
  'ai_admin', 'biconnector', 'bizproc', 'booking', 'calendar', 'call', 'cashbox', 'catalog',
  'contact_center', 'crm', 'documentgenerator', 'delivery', 'department', 'disk', 'entity',
  'humanresources', 'humanresources.hcmlink', 'im', 'imbot', 'imconnector', 'imopenlines',
  'intranet', 'landing', 'lists', 'log', 'mailservice', 'main', 'messageservice', 'mobile',
  'pay_system', 'placement', 'pull', 'rpa', 'sale', 'salescenter', 'sign.b2e', 'sonet_group',
  'socialnetwork', 'task', 'telephony', 'timeman', 'user', 'user_brief', 'user_basic',
  'user.userfield', 'userfieldconfig', 'userconsent', 'vote',
];

const ALTERNATIVES: Record<string, readonly string[]> = {
  user: ['user_brief', 'user_basic'],
};

export function hasScope(granted: ReadonlySet<string>, required: string | null): boolean {
  if (required === null) return true;
  if (granted.has(required)) return true;
  return (ALTERNATIVES[required] ?? []).some((alternative) => granted.has(alternative));
}

/** Parses a `crm,user` list; unknown codes are an error so typos do not silently grant nothing. */
export function parseScopeList(text: string): string[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const unknown = scopes.filter((s) => !KNOWN_SCOPES.includes(s));
  if (unknown.length > 0) throw new Error(`unknown scope: ${unknown.join(', ')}`);
  return [...new Set(scopes)];
}
