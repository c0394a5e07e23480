// The one registry of every error the server can answer with: the Bitrix `error` code, the
// HTTP status and the exact `error_description`. Where Bitrix's docs and its core disagree on
// a status, the core's value is used and the choice is recorded in COMPATIBILITY.md.
// Sources: rest-protocol.md §3, §5, §7 and the method pages under bitrix24-docs/.

interface ErrorSpec {
  readonly code: string;
  readonly status: number;
  /** Exact text; `{name}` placeholders are filled from the arguments of `restError`. */
  readonly description: string;
}

function spec(code: string, status: number, description: string): ErrorSpec {
  return { code, status, description };
}

export const ERRORS = {
  // §3.2 authentication and system errors (core statuses: the auth family is 401).
  NO_AUTH_FOUND: spec('NO_AUTH_FOUND', 401, 'Wrong authorization data'),
  INVALID_CREDENTIALS: spec('INVALID_CREDENTIALS', 401, 'Invalid request credentials'),
  INSUFFICIENT_SCOPE_WEBHOOK: spec(
    'insufficient_scope',
    401,
    'The request requires higher privileges than provided by the webhook token',
  ),
  INSUFFICIENT_SCOPE_TOKEN: spec(
    'insufficient_scope',
    401,
    'The request requires higher privileges than provided by the access token',
  ),
  /** A batch row outside the caller's scopes: core's batch item throws it without a text (§5). */
  INSUFFICIENT_SCOPE_BATCH: spec('insufficient_scope', 401, ''),
  EXPIRED_TOKEN: spec('expired_token', 401, 'The access token provided has expired'),
  INVALID_TOKEN: spec('invalid_token', 401, 'The access token provided is invalid'),
  HTTPS_REQUIRED: spec('INVALID_REQUEST', 401, 'Https required.'),
  ACCESS_DENIED_PLAN: spec('ACCESS_DENIED', 401, 'REST is available only on commercial plans.'),
  OVERLOAD_LIMIT: spec('OVERLOAD_LIMIT', 401, 'REST API is blocked due to overload.'),
  USER_ACCESS_ERROR: spec('user_access_error', 401, 'The user does not have access to the application.'),
  AUTHORIZATION_ERROR: spec('authorization_error', 401, 'Unable to authorize user'),
  APPLICATION_NOT_FOUND: spec('APPLICATION_NOT_FOUND', 401, 'Application not found'),
  CONNECTION_ERROR: spec('CONNECTION_ERROR', 401, 'Error connecting to authorization server'),
  PORTAL_DELETED: spec('PORTAL_DELETED', 403, 'Portal was deleted'),
  QUERY_LIMIT_EXCEEDED: spec('QUERY_LIMIT_EXCEEDED', 503, 'Too many requests'),
  OPERATION_TIME_LIMIT: spec('OPERATION_TIME_LIMIT', 429, 'Method is blocked due to operation time limit.'),
  INTERNAL_SERVER_ERROR: spec('INTERNAL_SERVER_ERROR', 500, 'Internal server error'),
  ERROR_UNEXPECTED_ANSWER: spec('ERROR_UNEXPECTED_ANSWER', 500, 'Server returned an unexpected response'),
  ERROR_MANIFEST_IS_NOT_AVAILABLE: spec('ERROR_MANIFEST_IS_NOT_AVAILABLE', 404, 'Manifest is not available'),

  // §7 the OAuth token endpoint (settings/oauth/error-codes.md); statuses as the PHP SDK
  // expects them: 400 for a bad grant or request, 401 for bad client credentials.
  OAUTH_INVALID_CLIENT: spec('invalid_client', 401, 'Invalid client_id or client_secret, or the application is not installed'),
  OAUTH_PARAMETER_MISSING: spec('invalid_request', 400, 'The {name} parameter is missing'),
  OAUTH_GRANT_TYPE_INVALID: spec('invalid_request', 400, 'grant_type must be authorization_code or refresh_token'),
  OAUTH_HTTPS_REQUIRED: spec('invalid_request', 400, 'Https required.'),
  OAUTH_CODE_INVALID: spec('invalid_grant', 400, 'The authorization code is invalid, expired or already used'),
  OAUTH_REFRESH_TOKEN_INVALID: spec('invalid_grant', 400, 'The refresh token is invalid, expired or already used'),

  // §5 batch.
  ERROR_BATCH_LENGTH_EXCEEDED: spec('ERROR_BATCH_LENGTH_EXCEEDED', 400, 'Max batch length exceeded'),
  ERROR_BATCH_METHOD_NOT_ALLOWED: spec(
    'ERROR_BATCH_METHOD_NOT_ALLOWED',
    405,
    'Method is not allowed for batch usage',
  ),
  // Salestrace's own: core has no such limits (COMPATIBILITY.md, "Batch").
  ERROR_BATCH_REFERENCE_TOO_LARGE: spec(
    'ERROR_BATCH_REFERENCE_TOO_LARGE',
    400,
    'Max batch reference length exceeded: a reference may stand for at most {limit} characters',
  ),
  ERROR_BATCH_ROW_TOO_LARGE: spec(
    'ERROR_BATCH_ROW_TOO_LARGE',
    400,
    'Max batch command length exceeded: a command may grow to at most {limit} characters by substitution',
  ),

  // §3.3 method-level errors.
  ERROR_METHOD_NOT_FOUND: spec('ERROR_METHOD_NOT_FOUND', 404, 'Method not found!'),
  ACCESS_DENIED: spec('ACCESS_DENIED', 403, 'Access denied!'),
  /** A call carrying `token`, which core checks as a signed link; this server issues none (§1.4). */
  ACCESS_DENIED_LINK_CHECK: spec('ACCESS_DENIED', 403, 'Access denied! Link check failed'),
  ACCESS_DENIED_USER_REQUIRED: spec('ACCESS_DENIED', 403, 'Access denied! User authorization required'),
  ACCESS_DENIED_APP_CONTEXT: spec('ACCESS_DENIED', 403, 'Access denied! Application context required'),
  WRONG_AUTH_TYPE: spec('WRONG_AUTH_TYPE', 403, 'Current authorization type is denied for this method'),
  WRONG_LICENSE: spec('WRONG_LICENSE', 403, 'This feature is not enabled for the current license: {feature}'),
  METHOD_CONFIRM_WAITING: spec('METHOD_CONFIRM_WAITING', 401, 'Waiting for confirmation'),
  METHOD_CONFIRM_DENIED: spec('METHOD_CONFIRM_DENIED', 403, 'Method call denied'),
  // Free-text shapes, for the test methods and test hooks only: server code raises a keyed
  // text (test/unit/errorRegistry.test.ts holds it to that).
  ERROR_CORE: spec('ERROR_CORE', 400, '{message}'),
  /** A statement the database refused (rest/databaseError.ts). */
  SQL_ERROR: spec('ERROR_CORE', 500, 'SQL query error!'),
  /** The legacy CRM shape, free text, for test hooks: `"error": ""`. */
  LEGACY: spec('', 400, '{message}'),
  // crm.{type}.* (CCrmRestProxyBase and the per-type proxies): empty code, status 400.
  LEGACY_PARAMETER_NOT_ARRAY: spec('', 400, "Parameter '{name}' must be array."),
  LEGACY_ID_INVALID: spec('', 400, 'ID is not defined or invalid.'),
  LEGACY_ACCESS_DENIED: spec('', 400, 'Access denied.'),
  /** Deals, for a caller with no access to deals at all (restservice.php deal proxy). */
  LEGACY_TYPE_ACCESS_DENIED: spec('', 400, 'Access denied'),
  LEGACY_NOT_FOUND: spec('', 400, 'Not found'),
  LEGACY_LEAD_NOT_FOUND: spec('', 400, 'Lead is not found'),
  LEGACY_CONTACT_NOT_FOUND: spec('', 400, 'Contact is not found'),
  LEGACY_COMPANY_NOT_FOUND: spec('', 400, 'Company is not found'),
  LEGACY_QUOTE_NOT_FOUND: spec('', 400, 'Quote is not found'),
  LEGACY_ELEMENT_NOT_FOUND: spec('', 400, 'Element not found'),
  LEGACY_FIELD_REQUIRED: spec('', 400, 'Field "{field}" is required.'),
  LEGACY_FIELD_INVALID: spec('', 400, 'Invalid value for the "{field}" field'),
  LEGACY_NAME_REQUIRED: spec('', 400, 'One of the fields must be filled in: "First Name", "Middle Name", "Last Name".'),
  WRONG_ENCODING: spec('WRONG_ENCODING', 400, 'Wrong request encoding'),

  // crm.tracking.trace.* (crm-tracking-trace-add.md, -delete.md); the size and depth limits of
  // TRACE are Salestrace's (COMPATIBILITY.md, "Sales Intelligence").
  TRACE_REQUIRED: spec('ERROR_CORE', 400, 'Parameter `TRACE` required.'),
  TRACE_INVALID_JSON: spec('ERROR_CORE', 400, 'Can not parse JSON in parameter `TRACE`.'),
  TRACE_TOO_LARGE: spec('ERROR_CORE', 400, 'Parameter `TRACE` is too large: the limit is {limit} bytes.'),
  TRACE_TOO_DEEP: spec('ERROR_CORE', 400, 'Parameter `TRACE` nests `previous` traces deeper than {limit} levels.'),
  TRACE_ENTITIES_NOT_A_LIST: spec('ERROR_CORE', 400, 'Parameter `ENTITIES` must be a list of objects with TYPE and ID.'),
  TRACE_ENTITY_WRONG_TYPE: spec('ERROR_CORE', 400, 'Wrong TYPE in parameter `ENTITIES`. Allowed types: {types}'),
  TRACE_ENTITY_WRONG_ID: spec('ERROR_CORE', 400, 'Wrong ID in parameter `ENTITIES`.'),
  TRACE_ENTITY_NO_ACCESS: spec('ERROR_CORE', 400, 'You have no access to entity `{type}` with ID `{id}`.'),
  TRACE_ID_REQUIRED: spec('ERROR_CORE', 400, 'Parameter `id` required.'),
  // crm.tracking.trace.add binds every ENTITIES item to the trace and each of its (up to 155)
  // previous traces: the cap keeps one call's writes bounded (COMPATIBILITY.md, "Sales Intelligence").
  TRACE_TOO_MANY_ENTITIES: spec('ERROR_CORE', 400, 'Parameter `ENTITIES` lists more than {limit} items.'),

  // Salestrace's own read and source methods (salestrace.trace.*, salestrace.source.*):
  // Bitrix24 has no such methods, so these codes are Salestrace's.
  TRACE_NOT_FOUND: spec('TRACE_NOT_FOUND', 400, 'Trace with ID `{id}` not found.'),
  // Reading traces follows the CRM read permissions; refused like crm.item.get refuses (400).
  TRACE_ACCESS_DENIED: spec('ACCESS_DENIED', 400, 'You do not have permission to view trace `{id}`.'),
  TRACE_ITEM_ACCESS_DENIED: spec('ACCESS_DENIED', 400, 'You do not have permission to view the traces of {type} with ID `{id}`.'),
  SOURCE_NOT_FOUND: spec('SOURCE_NOT_FOUND', 400, 'Source with ID `{id}` not found.'),
  SOURCE_IS_BUILT_IN: spec(
    'SOURCE_IS_BUILT_IN',
    400,
    'Source `{code}` is built in and cannot be deleted; set ACTIVE to N to archive it.',
  ),
  // Parameter checks of salestrace.*: ERROR_ARGUMENT, the parameter named in `argument`.
  ID_NOT_POSITIVE: spec('ERROR_ARGUMENT', 400, 'Parameter `id` must be a positive integer.'),
  TRACE_FILTER_NOT_OBJECT: spec('ERROR_ARGUMENT', 400, 'Parameter `filter` must be an object.'),
  TRACE_FILTER_FIELD_UNKNOWN: spec('ERROR_ARGUMENT', 400, 'Unknown filter field `{key}`. Allowed: {allowed}.'),
  TRACE_FILTER_DATE: spec(
    'ERROR_ARGUMENT',
    400,
    'Filter field `{key}` must be a date (YYYY-MM-DD), an ISO 8601 date-time or unix seconds.',
  ),
  TRACE_FILTER_ENTITY_TYPE: spec('ERROR_ARGUMENT', 400, 'Filter field `ENTITY_TYPE` must be one of {types}, together with ENTITY_ID.'),
  TRACE_FILTER_ENTITY_ID: spec('ERROR_ARGUMENT', 400, 'Filter field `ENTITY_ID` must be a positive integer, together with ENTITY_TYPE.'),
  TRACE_FILTER_SOURCE_ID: spec('ERROR_ARGUMENT', 400, 'Filter field `SOURCE_ID` must be a source ID, or 0 for organic traffic.'),
  SOURCE_FIELDS_NOT_OBJECT: spec('ERROR_ARGUMENT', 400, 'Parameter `fields` must be an object.'),
  SOURCE_FIELD_UNKNOWN: spec('ERROR_ARGUMENT', 400, 'Unknown or read-only field `{key}`. Allowed: {allowed}.'),
  SOURCE_NAME_NOT_STRING: spec('ERROR_ARGUMENT', 400, 'Field `NAME` must be a string.'),
  SOURCE_ACTIVE_INVALID: spec('ERROR_ARGUMENT', 400, 'Field `ACTIVE` must be Y or N.'),
  SOURCE_VALUES_NOT_STRINGS: spec('ERROR_ARGUMENT', 400, 'Field `{field}` must be a list of strings.'),
  SOURCE_VALUE_TOO_LONG: spec('ERROR_ARGUMENT', 400, 'A {field} value is longer than {limit} characters.'),
  SOURCE_DOMAIN_INVALID: spec('ERROR_ARGUMENT', 400, '"{value}" is not a domain name.'),
  SOURCE_PHONE_INVALID: spec('ERROR_ARGUMENT', 400, '"{value}" is not a phone number.'),
  SOURCE_EMAIL_INVALID: spec('ERROR_ARGUMENT', 400, '"{value}" is not an e-mail address.'),
  SOURCE_NAME_EMPTY: spec('ERROR_ARGUMENT', 400, 'The source name must not be empty.'),
  SOURCE_NAME_TOO_LONG: spec('ERROR_ARGUMENT', 400, 'The source name is longer than {limit} characters.'),
  SOURCE_NAME_REQUIRED: spec('ERROR_ARGUMENT', 400, 'The source name is required.'),

  // Request-shape limits. Bitrix (PHP) silently truncates such input; Salestrace refuses it
  // with a clear error instead (COMPATIBILITY.md, "Input limits").
  REQUEST_TOO_LARGE: spec('REQUEST_TOO_LARGE', 413, 'Request body is larger than {limit} bytes'),
  HEADERS_TOO_LARGE: spec('REQUEST_TOO_LARGE', 431, 'The URL and headers are larger than {limit} bytes; send parameters in a POST body'),
  TOO_MANY_PARAMETERS: spec('TOO_MANY_PARAMETERS', 400, 'Too many parameters: the limit is {limit}'),
  NESTING_TOO_DEEP: spec('NESTING_TOO_DEEP', 400, 'Parameters are nested deeper than {limit} levels'),
  /** A non-empty `application/json` body that does not parse; core would read it as no parameters. */
  INVALID_JSON: spec('INVALID_JSON', 400, 'Request body is not valid JSON'),
  // 504, not 503: b24jssdk and got treat 503 as the rate limit and retry it on a schedule.
  REQUEST_TIMEOUT: spec('REQUEST_TIMEOUT', 504, 'The request took longer than {seconds} s and was stopped'),
  REQUEST_RECEIVE_TIMEOUT: spec('REQUEST_TIMEOUT', 408, 'The request was not received completely within {seconds} s'),
  NOT_FOUND: spec('NOT_FOUND', 404, 'Not found: the REST API is served under /rest/'),
  /** The HTTP request itself could not be read (bad headers, broken framing). */
  BAD_REQUEST: spec('BAD_REQUEST', 400, 'Malformed HTTP request'),

  // crm.item.* (D7 controller errors: status 400; texts from the crm-item-*.md pages).
  // Parameter binding failures of D7 controllers (Main\Engine binder).
  CRM_PARAMETER_MISSING: spec('invalid_parameter', 400, 'Could not find value for parameter {{name}}'),
  CRM_PARAMETER_TYPE: spec('invalid_parameter', 400, 'Invalid value {{value}} to match with parameter {{name}}. Should be value of type {type}.'),
  CRM_TYPE_NOT_FOUND: spec('NOT_FOUND', 400, 'Smart process not found'),
  CRM_TYPE_NOT_SUPPORTED: spec('ENTITY_TYPE_NOT_SUPPORTED', 400, 'Entity type {name} is not supported'),
  CRM_ITEM_NOT_FOUND: spec('NOT_FOUND', 400, 'Element not found'),
  CRM_ITEM_NOT_FOUND_ON_DELETE: spec('NOT_FOUND', 400, 'Item not found'),
  CRM_ACCESS_DENIED: spec('ACCESS_DENIED', 400, 'Access denied'),
  CRM_READ_DENIED: spec('ACCESS_DENIED', 400, 'You do not have permission to view this item'),
  CRM_FIELD_INVALID: spec('CRM_FIELD_ERROR_VALUE_NOT_VALID', 400, 'Invalid value for field "{field}"'),
  CRM_FIELD_REQUIRED: spec('CRM_FIELD_ERROR_REQUIRED', 400, 'Field "{field}" is required'),
  /** Legacy EMAIL values (crm-contact-add.md, crm-company-add.md error tables). */
  CRM_EMAIL_INVALID: spec('ERROR_CORE', 400, 'The field `{field}` contains an invalid address'),
  CRM_FIELD_NOT_ITERABLE: spec('100', 400, 'Expected iterable value for multiple field, but got {type} instead'),
  CRM_FILTER_FIELD: spec('INVALID_ARG_VALUE', 400, "Invalid filter: field '{field}' is not allowed in filter"),
  CRM_FILTER_VALUE: spec('INVALID_ARG_VALUE', 400, "Invalid filter: field '{field}' has invalid value"),
  // A filter value longer than its column keeps (or than a LIKE search takes): Salestrace's
  // limit, in the wording of the filter errors above; legacy lists answer with an empty code.
  CRM_FILTER_VALUE_TOO_LONG: spec(
    'INVALID_ARG_VALUE',
    400,
    "Invalid filter: the value of field '{field}' is longer than {limit} characters",
  ),
  LEGACY_FILTER_VALUE_TOO_LONG: spec('', 400, "Invalid filter: the value of field '{field}' is longer than {limit} characters"),
  CRM_ORDER_FIELD: spec('INVALID_ARG_VALUE', 400, "Invalid order: field '{field}' is not allowed in order"),
  CRM_ORDER_DIRECTION: spec(
    'INVALID_ARG_VALUE',
    400,
    "Invalid order: allowed sort directions are ASC, DESC. But got '{value}' for field '{field}'",
  ),

  // Own sites and site forms (salestrace.site.*, salestrace.form.*; issue 12): Salestrace's methods.
  SITE_NOT_FOUND: spec('SITE_NOT_FOUND', 400, 'Site with ID `{id}` not found.'),
  SITE_ADDRESS_REQUIRED: spec('ERROR_ARGUMENT', 400, 'Field `ADDRESS` is required.'),
  SITE_ADDRESS_INVALID: spec('ERROR_ARGUMENT', 400, '"{value}" is not the http(s) address of a web site.'),
  SITE_HOST_TAKEN: spec('ERROR_ARGUMENT', 400, 'Site {id} already has the host {host}.'),
  SITE_PHONE_INVALID: spec('ERROR_ARGUMENT', 400, 'Field `PHONES` must list phone numbers of at most {limit} characters.'),
  SITE_EMAIL_INVALID: spec('ERROR_ARGUMENT', 400, '"{value}" in `EMAILS` is not an e-mail address.'),
  SITE_FLAG_INVALID: spec('ERROR_ARGUMENT', 400, 'Field `{field}` must be Y or N.'),
  FORM_NOT_FOUND: spec('FORM_NOT_FOUND', 400, 'Form with ID `{id}` not found.'),
  FORM_NAME_REQUIRED: spec('ERROR_ARGUMENT', 400, 'Field `NAME` is required and must not be empty.'),
  FORM_FIELDS_INVALID: spec('ERROR_ARGUMENT', 400, 'Field `FIELDS` must map form field names to lead fields: {allowed}.'),
  FORM_SITE_NOT_FOUND: spec('ERROR_ARGUMENT', 400, 'Field `SITE_ID` must be the ID of an own site, or empty for any.'),
  FORM_RESPONSIBLE_INVALID: spec('ERROR_ARGUMENT', 400, 'Field `RESPONSIBLE_ID` must be the ID of a user.'),
  FORM_THANKS_URL_INVALID: spec('ERROR_ARGUMENT', 400, 'Field `THANKS_URL` must be an http(s) address, or empty.'),
  // The public website endpoints (/pub/guest.php, /pub/form/…): a portal answers any origin.
  PUBLIC_ORIGIN_DENIED: spec('ACCESS_DENIED', 403, 'Origin {origin} is not an active own site of this portal.'),
  PUBLIC_FORM_NOT_FOUND: spec('NOT_FOUND', 404, 'There is no active form `{code}`.'),
  PUBLIC_FORM_ORIGIN_MISSING: spec('ACCESS_DENIED', 403, 'A form is accepted only from a page of an active own site (the request names no Origin or Referer).'),
  PUBLIC_FORM_SPAM: spec('FORM_REJECTED', 400, 'The form was not accepted.'),
  PUBLIC_FORM_EMPTY: spec('ERROR_ARGUMENT', 400, 'The form has no filled field.'),
  PUBLIC_FORM_FIELD_TOO_LONG: spec('ERROR_ARGUMENT', 400, 'Form field `{field}` is longer than {limit} characters.'),
  PUBLIC_FORM_TRACE_INVALID: spec('ERROR_ARGUMENT', 400, 'Form field `trace` must be the JSON that b24Tracker.guest.getTrace() gives.'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorKey = keyof typeof ERRORS;

/**
 * Registry keys that no code raises, on purpose: clients know these errors, so the registry
 * keeps their exact texts, but the situation behind each cannot arise on a self-hosted server
 * (COMPATIBILITY.md, "Errors that cannot occur on a self-hosted server"). A test checks that
 * this is exactly the set of keys nothing raises, so a key added but never raised fails it.
 */
export const NEVER_RAISED = [
  // The portal cannot reach its OAuth server: here both are one process.
  'CONNECTION_ERROR',
  // Made by the cloud's infrastructure in front of a portal; unexpected failures here are
  // INTERNAL_SERVER_ERROR or core's SQL error.
  'ERROR_UNEXPECTED_ANSWER',
  // Configuration export/import through app manifests, which Salestrace does not have.
  'ERROR_MANIFEST_IS_NOT_AVAILABLE',
  // Every method accepts both a webhook and an application token.
  'WRONG_AUTH_TYPE',
  // No licences on a self-hosted server (`--plan free` refuses REST with ACCESS_DENIED).
  'WRONG_LICENSE',
  // Administrator confirmation of sensitive methods for Market apps: no such methods here.
  'METHOD_CONFIRM_WAITING',
  'METHOD_CONFIRM_DENIED',
] as const satisfies readonly ErrorKey[];

/** A Bitrix error answer. Everything thrown towards the client is one of these. */
export class RestError extends Error {
  readonly code: string;
  readonly status: number;
  readonly description: string;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: string, status: number, description: string, extra?: Record<string, unknown>) {
    super(`${code || '(empty code)'}: ${description}`);
    this.name = 'RestError';
    this.code = code;
    this.status = status;
    this.description = description;
    this.extra = extra;
  }

  toBody(): Record<string, unknown> {
    return { error: this.code, error_description: this.description, ...this.extra };
  }
}

export function restError(
  key: ErrorKey,
  args: Record<string, string | number> = {},
  extra?: Record<string, unknown>,
): RestError {
  const entry: ErrorSpec = ERRORS[key];
  const description = entry.description.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in args ? String(args[name]) : whole,
  );
  return new RestError(entry.code, entry.status, description, extra);
}

/** `ERROR_CORE` with a free message: for the test methods; server code raises a keyed text. */
export function coreError(message: string): RestError {
  return restError('ERROR_CORE', { message });
}

/** A legacy CRM error shape (empty `error` code, status 400) with a free message: for test hooks. */
export function legacyError(message: string): RestError {
  return restError('LEGACY', { message });
}

/** `ERROR_ARGUMENT` answers carry the offending parameter's name in an extra `argument` key. */
export function argumentError(key: ErrorKey, argument: string, args: Record<string, string | number> = {}): RestError {
  return restError(key, args, { argument });
}
