// Phone numbers as telephony and the tracking pools compare them (tracker-and-calls.md §4.1 step
// 5, §5 note 3): normalised to E.164, a number without a country code read in the default
// country (setting `telephony.defaultCountry`). Numbers are stored as written and shown formatted.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export const DEFAULT_COUNTRY_SETTING = 'telephony.defaultCountry';
export const DEFAULT_COUNTRY: CountryCode = 'US';

export function isCountryCode(value: string): value is CountryCode {
  return /^[A-Z]{2}$/.test(value) && isSupportedCountry(value);
}

function parse(text: string, country: CountryCode) {
  const national = parsePhoneNumberFromString(text, country);
  if (national?.isPossible()) return national;
  // A full international number written without "+" (the docs' "79062195047").
  const digits = text.replace(/\D+/g, '');
  const international = digits === '' ? undefined : parsePhoneNumberFromString(`+${digits}`);
  return international?.isPossible() ? international : undefined;
}

/**
 * The comparison key of a number: E.164 ("+79062195047") when it reads as a possible number, else
 * its digits (short line numbers such as "3"); null when it has no digit at all.
 */
export function phoneKey(text: string, country: CountryCode): string | null {
  const parsed = parse(text, country);
  if (parsed) return parsed.number;
  const digits = text.replace(/\D+/g, '');
  return digits === '' ? null : digits;
}

/** The number as shown: international format when possible ("+7 906 219-50-47"), else as written. */
export function formatPhone(text: string, country: CountryCode): string {
  return parse(text, country)?.formatInternational() ?? text.trim();
}

/** Whether two written numbers are one number. */
export function samePhone(a: string, b: string, country: CountryCode): boolean {
  const key = phoneKey(a, country);
  return key !== null && key === phoneKey(b, country);
}
