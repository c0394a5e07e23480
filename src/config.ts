// One typed configuration object, built from CLI flags over SALESTRACE_* environment variables
// over defaults. Nothing else in the code reads process.env.
import path from 'node:path';
import pino from 'pino';

export type PlanName = 'unlimited' | 'standard' | 'enterprise' | 'free';

export interface Config {
  readonly host: string;
  /** HTTP port; 0 picks a free one. */
  readonly port: number;
  /** HTTPS port; 0 picks a free one, null turns HTTPS off. */
  readonly httpsPort: number | null;
  readonly dataDir: string;
  /** A postgres:// URL, or null for the embedded SQLite database in dataDir. */
  readonly databaseUrl: string | null;
  /** Hide every `salestrace.*` method (`serve --strict`). */
  readonly strict: boolean;
  /**
   * CRM fields as Salestrace checked them before issue 18 (`serve --strict-fields`): refuse links to
   * items or users that do not exist, unparseable dates, and unknown pipelines and stages, where
   * a portal stores the link or drops the value.
   */
  readonly strictFields: boolean;
  /**
   * A module whose `testMethods` export adds methods for the test suite (test/support/); null,
   * as always in production, adds none.
   */
  readonly testMethods: string | null;
  /** Refuse webhook calls over plain HTTP (rest-protocol.md §8). */
  readonly requireHttps: boolean;
  /** Honour X-Forwarded-Proto / X-Forwarded-For from a reverse proxy. */
  readonly trustProxy: boolean;
  readonly plan: PlanName;
  /** Leaky-bucket drain per second and size; null means the plan's values. */
  readonly rateDrain: number | null;
  readonly rateBurst: number | null;
  /** Operating-time limit per method and credential over 10 minutes; null turns it off. */
  readonly operatingLimitSeconds: number | null;
  readonly bodyLimitBytes: number;
  readonly maxParamDepth: number;
  readonly maxParamVars: number;
  readonly maxJsonValues: number;
  readonly requestTimeoutMs: number;
  readonly logLevel: string;
  /** `serve` processes sharing the listening ports (node's cluster); above 1 only on PostgreSQL. */
  readonly workers: number;
  /** Outbound events: deliver the outbox (off keeps events queued, for tests and maintenance). */
  readonly eventDelivery: boolean;
  /** Per delivery attempt. */
  readonly eventTimeoutMs: number;
  /** Attempts after the first; 0 sends once, as Bitrix does (COMPATIBILITY.md, "Events"). */
  readonly eventRetries: number;
  /** The first retry's delay; each next one waits five times longer. */
  readonly eventRetryDelayMs: number;
  /** The server's address as websites reach it (the tracker pack and its loader); null: the request's own. */
  readonly publicUrl: string | null;
}

export const DEFAULT_CONFIG: Config = {
  host: '127.0.0.1',
  port: 8080,
  httpsPort: 8443,
  dataDir: './data',
  databaseUrl: null,
  strict: false,
  strictFields: false,
  testMethods: null,
  requireHttps: false,
  trustProxy: false,
  plan: 'unlimited',
  rateDrain: null,
  rateBurst: null,
  operatingLimitSeconds: 480,
  bodyLimitBytes: 16 * 1024 * 1024,
  maxParamDepth: 64,
  maxParamVars: 1000,
  maxJsonValues: 10000,
  requestTimeoutMs: 60_000,
  logLevel: 'info',
  workers: 1,
  eventDelivery: true,
  eventTimeoutMs: 5000,
  eventRetries: 3,
  eventRetryDelayMs: 1000,
  publicUrl: null,
};

const PLANS: readonly PlanName[] = ['unlimited', 'standard', 'enterprise', 'free'];

export class ConfigError extends Error {}

function parseInteger(name: string, text: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new ConfigError(`${name} must be an integer, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function parsePositive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got "${text}"`);
  return value;
}

function parseBoolean(name: string, text: string): boolean {
  const lower = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(lower)) return false;
  throw new ConfigError(`${name} must be true or false, got "${text}"`);
}

/** Raw option values as the CLI or environment give them (strings, or booleans for flags). */
export type RawOptions = Partial<Record<keyof Config, string | boolean | number | null | undefined>>;

const ENV_NAMES: Record<keyof Config, string> = {
  host: 'SALESTRACE_HOST',
  port: 'SALESTRACE_PORT',
  httpsPort: 'SALESTRACE_HTTPS_PORT',
  dataDir: 'SALESTRACE_DATA',
  databaseUrl: 'SALESTRACE_DATABASE_URL',
  strict: 'SALESTRACE_STRICT',
  strictFields: 'SALESTRACE_STRICT_FIELDS',
  testMethods: 'SALESTRACE_TEST_METHODS',
  requireHttps: 'SALESTRACE_REQUIRE_HTTPS',
  trustProxy: 'SALESTRACE_TRUST_PROXY',
  plan: 'SALESTRACE_PLAN',
  rateDrain: 'SALESTRACE_RATE_DRAIN',
  rateBurst: 'SALESTRACE_RATE_BURST',
  operatingLimitSeconds: 'SALESTRACE_OPERATING_LIMIT',
  bodyLimitBytes: 'SALESTRACE_BODY_LIMIT',
  maxParamDepth: 'SALESTRACE_MAX_PARAM_DEPTH',
  maxParamVars: 'SALESTRACE_MAX_PARAM_VARS',
  maxJsonValues: 'SALESTRACE_MAX_JSON_VALUES',
  requestTimeoutMs: 'SALESTRACE_REQUEST_TIMEOUT_MS',
  logLevel: 'SALESTRACE_LOG_LEVEL',
  workers: 'SALESTRACE_WORKERS',
  eventDelivery: 'SALESTRACE_EVENT_DELIVERY',
  eventTimeoutMs: 'SALESTRACE_EVENT_TIMEOUT_MS',
  eventRetries: 'SALESTRACE_EVENT_RETRIES',
  eventRetryDelayMs: 'SALESTRACE_EVENT_RETRY_DELAY_MS',
  publicUrl: 'SALESTRACE_PUBLIC_URL',
};

/** The `serve` flags (the other commands share --data and --database-url), to name in errors. */
const FLAG_NAMES: Partial<Record<keyof Config, string>> = {
  host: '--host',
  port: '--port',
  httpsPort: '--https-port',
  dataDir: '--data',
  databaseUrl: '--database-url',
  strict: '--strict',
  strictFields: '--strict-fields',
  requireHttps: '--require-https',
  trustProxy: '--trust-proxy',
  plan: '--plan',
  rateDrain: '--rate-drain',
  rateBurst: '--rate-burst',
  operatingLimitSeconds: '--operating-limit',
  logLevel: '--log-level',
  workers: '--workers',
  eventDelivery: '--event-delivery',
  eventTimeoutMs: '--event-timeout-ms',
  eventRetries: '--event-retries',
  eventRetryDelayMs: '--event-retry-delay-ms',
  publicUrl: '--public-url',
};

/** pino's levels, and `silent`. */
const LOG_LEVELS: readonly string[] = [...Object.keys(pino.levels.values).sort((a, b) => pino.levels.values[b] - pino.levels.values[a]), 'silent'];

export function environmentOptions(env: NodeJS.ProcessEnv): RawOptions {
  const options: RawOptions = {};
  for (const [key, name] of Object.entries(ENV_NAMES) as [keyof Config, string][]) {
    if (env[name] !== undefined) options[key] = env[name];
  }
  return options;
}

/** Resolves flags over environment over defaults, validating every value. */
export function resolveConfig(flags: RawOptions, env: NodeJS.ProcessEnv = {}, base: Config = DEFAULT_CONFIG): Config {
  const merged: RawOptions = { ...environmentOptions(env) };
  for (const [key, value] of Object.entries(flags) as [keyof Config, RawOptions[keyof Config]][]) {
    if (value !== undefined) merged[key] = value;
  }
  // An error names what the user typed: the flag when one gave the value, else the variable.
  const nameOf = (key: keyof Config): string => (flags[key] !== undefined && FLAG_NAMES[key]) || ENV_NAMES[key];
  const text = (key: keyof Config): string | undefined => {
    const value = merged[key];
    return value === undefined || value === null ? undefined : String(value);
  };
  const int = (key: keyof Config, min: number, max: number, fallback: number): number => {
    const value = text(key);
    return value === undefined ? fallback : parseInteger(nameOf(key), value, min, max);
  };
  const bool = (key: keyof Config, fallback: boolean): boolean => {
    const value = merged[key];
    if (typeof value === 'boolean') return value;
    return value === undefined || value === null ? fallback : parseBoolean(nameOf(key), String(value));
  };
  const optionalNumber = (key: keyof Config, fallback: number | null): number | null => {
    const value = text(key);
    if (value === undefined) return fallback;
    if (['off', 'none', '0'].includes(value.toLowerCase()) && key === 'operatingLimitSeconds') return null;
    return parsePositive(nameOf(key), value);
  };

  const plan = (text('plan') ?? base.plan) as PlanName;
  if (!PLANS.includes(plan)) throw new ConfigError(`${nameOf('plan')} must be one of ${PLANS.join(', ')}, got "${plan}"`);
  const logLevel = text('logLevel') ?? base.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`${nameOf('logLevel')} must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const databaseUrl = text('databaseUrl')?.trim() || base.databaseUrl;
  const testMethodsModule = text('testMethods');
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new ConfigError(`${nameOf('databaseUrl')} must be a postgres:// or postgresql:// URL`);
  }
  const workers = int('workers', 1, 256, base.workers);
  const publicUrl = text('publicUrl')?.trim().replace(/\/+$/, '') || base.publicUrl;
  if (publicUrl !== null && !/^https?:\/\/[^/?#\s]+$/i.test(publicUrl)) {
    throw new ConfigError(`${nameOf('publicUrl')} must be an http:// or https:// address without a path, got "${publicUrl}"`);
  }
  const httpsText = text('httpsPort');
  const httpsPort =
    httpsText === undefined
      ? base.httpsPort
      : ['off', 'none', '-1'].includes(httpsText.toLowerCase())
        ? null
        : parseInteger(nameOf('httpsPort'), httpsText, 0, 65535);

  return {
    host: text('host') ?? base.host,
    port: int('port', 0, 65535, base.port),
    httpsPort,
    dataDir: path.resolve(text('dataDir') ?? base.dataDir),
    databaseUrl,
    strict: bool('strict', base.strict),
    strictFields: bool('strictFields', base.strictFields),
    testMethods: testMethodsModule ? path.resolve(testMethodsModule) : base.testMethods,
    requireHttps: bool('requireHttps', base.requireHttps),
    trustProxy: bool('trustProxy', base.trustProxy),
    plan,
    rateDrain: optionalNumber('rateDrain', base.rateDrain),
    rateBurst: text('rateBurst') === undefined ? base.rateBurst : int('rateBurst', 1, 1_000_000_000, 0),
    operatingLimitSeconds: optionalNumber('operatingLimitSeconds', base.operatingLimitSeconds),
    bodyLimitBytes: int('bodyLimitBytes', 1024, 1024 * 1024 * 1024, base.bodyLimitBytes),
    maxParamDepth: int('maxParamDepth', 1, 512, base.maxParamDepth),
    maxParamVars: int('maxParamVars', 1, 1_000_000, base.maxParamVars),
    maxJsonValues: int('maxJsonValues', 1, 10_000_000, base.maxJsonValues),
    requestTimeoutMs: int('requestTimeoutMs', 100, 3_600_000, base.requestTimeoutMs),
    logLevel,
    workers,
    eventDelivery: bool('eventDelivery', base.eventDelivery),
    eventTimeoutMs: int('eventTimeoutMs', 100, 600_000, base.eventTimeoutMs),
    eventRetries: int('eventRetries', 0, 10, base.eventRetries),
    eventRetryDelayMs: int('eventRetryDelayMs', 10, 3_600_000, base.eventRetryDelayMs),
    publicUrl,
  };
}

/**
 * `serve --workers` above 1 needs PostgreSQL (only `serve` asks: the other commands ignore the
 * setting, so SALESTRACE_WORKERS in the environment does not break them on SQLite).
 */
export function checkWorkers(config: Config, env: NodeJS.ProcessEnv = {}, flag?: unknown): void {
  if (config.workers <= 1 || config.databaseUrl !== null) return;
  const name = flag !== undefined ? '--workers' : env.SALESTRACE_WORKERS !== undefined ? 'SALESTRACE_WORKERS' : '--workers';
  throw new ConfigError(
    `${name} ${config.workers} needs PostgreSQL: the embedded SQLite database lets one process write at a time, ` +
      'so more processes would only queue behind each other. ' +
      'Run one process (leave out --workers), or point every process at PostgreSQL with --database-url postgres://….',
  );
}

export function databaseFile(config: Config): string {
  return path.join(config.dataDir, 'salestrace.db');
}

/** Where the data lives, for people to read: the SQLite file, or the PostgreSQL URL without its password. */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `SQLite, ${databaseFile(config)}`;
  try {
    const url = new URL(config.databaseUrl);
    if (url.password) url.password = '***';
    return `PostgreSQL, ${url.toString()}`;
  } catch {
    return 'PostgreSQL';
  }
}
