// What a domain module (crm, tracking, auth) throws when it refuses something: a kind it
// declares and the values that explain it, never a Bitrix text or an HTTP status. Each REST
// method family turns kinds into registry errors in one declared table (rest/translation.ts).

/** The values an answer may quote: field names, limits, IDs. */
export type ErrorDetails = Readonly<Record<string, string | number>>;

export class DomainError<Kind extends string = string> extends Error {
  constructor(
    readonly kind: Kind,
    readonly details: ErrorDetails = {},
  ) {
    super(`${kind} ${JSON.stringify(details)}`);
    this.name = 'DomainError';
  }
}
