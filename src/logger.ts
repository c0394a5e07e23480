// pino, with every place a secret can hide redacted: webhook paths carry the secret, tokens
// and the webhook secret travel as parameters, and the Authorization header.
import pino, { type Logger } from 'pino';
import { phpBaseName, phpUrlDecode } from './php/query.js';

export type { Logger };

const SECRET_IN_PATH = /^(\/+rest\/+[^/?]+\/+)([^/?]+)(\/+[^/?]*)?/i;

/** Parameters that carry a credential: `ap` is the webhook secret next to `aplogin` (authenticate.ts). */
const SECRET_PARAMS = new Set(['ap', 'auth', 'access_token', 'refresh_token', 'client_secret', 'code', 'token', 'password']);

/**
 * Judged by the name PHP would read, so `%61uth`, `access.token` and `auth[0]` count as the
 * secrets they become. A name that is not valid UTF-8 cannot be read: better masked than guessed.
 */
function isSecretParam(rawName: string): boolean {
  let base: string | null;
  try {
    base = phpBaseName(phpUrlDecode(rawName));
  } catch {
    return true;
  }
  return base !== null && SECRET_PARAMS.has(base.toLowerCase());
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq !== -1 && isSecretParam(pair.slice(0, eq)) ? `${pair.slice(0, eq + 1)}***` : pair;
    })
    .join('&');
}

/** A URL with the webhook secret and any credential parameters replaced by `***`. */
export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  const path = question === -1 ? url : url.slice(0, question);
  const maskedPath = path.replace(SECRET_IN_PATH, (_m, head: string, _secret: string, tail = '') => `${head}***${tail}`);
  return question === -1 ? maskedPath : `${maskedPath}?${redactQuery(url.slice(question + 1))}`;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', 'secret', 'token', 'password'],
        censor: '***',
      },
      serializers: {
        req: (req: { method?: string; url?: string; ip?: string }) => ({
          method: req.method,
          url: redactUrl(req.url ?? ''),
          ip: req.ip,
        }),
      },
    },
    destination,
  );
}

type LogMethod = (...args: unknown[]) => void;

/**
 * Fastify makes a child logger (with the request id) for every request, which costs pino a
 * child object even though this server logs almost never per request. This one builds that
 * same child only when something is logged through it, so every line is what the child writes.
 */
class LazyChildLogger {
  private real: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: pino.Bindings,
    private readonly options: pino.ChildLoggerOptions,
  ) {}

  private materialise(): Logger {
    this.real ??= this.parent.child(this.bindings, this.options);
    return this.real;
  }

  get level(): string {
    return this.materialise().level;
  }
  set level(level: string) {
    this.materialise().level = level;
  }
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.materialise().child(bindings, options);
  }
  fatal(...args: unknown[]): void {
    (this.materialise().fatal as LogMethod)(...args);
  }
  error(...args: unknown[]): void {
    (this.materialise().error as LogMethod)(...args);
  }
  warn(...args: unknown[]): void {
    (this.materialise().warn as LogMethod)(...args);
  }
  info(...args: unknown[]): void {
    (this.materialise().info as LogMethod)(...args);
  }
  debug(...args: unknown[]): void {
    (this.materialise().debug as LogMethod)(...args);
  }
  trace(...args: unknown[]): void {
    (this.materialise().trace as LogMethod)(...args);
  }
  silent(...args: unknown[]): void {
    (this.materialise().silent as LogMethod)(...args);
  }
}

/** Fastify's `childLoggerFactory`: the per-request child, made on first use. */
export function lazyChildLogger(parent: Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions): Logger {
  return new LazyChildLogger(parent, bindings, options) as unknown as Logger;
}
