// Whether a text is an e-mail address, as Bitrix's check_email decides it before a legacy EMAIL
// value is stored: one `@`, a local part of the usual characters, a domain of two or more labels.
// Letters and digits of any script are taken (Bitrix converts such domains to punycode first).
// Every pattern is a single anchored character class, so the check is linear in the length.

const LOCAL_PART = /^[\p{L}\p{N}=_.+~'!$&*^`|#%/?{}-]+$/u;
const LABEL = /^[\p{L}\p{N}_-]+$/u;
const TOP_LABEL = /^[\p{L}\p{N}-]{2,63}$/u;

export function isEmailAddress(text: string): boolean {
  const at = text.lastIndexOf('@');
  if (at <= 0) return false;
  if (!LOCAL_PART.test(text.slice(0, at))) return false;
  const labels = text.slice(at + 1).split('.');
  if (labels.length < 2) return false;
  return labels.every((label, index) => (index === labels.length - 1 ? TOP_LABEL : LABEL).test(label));
}
