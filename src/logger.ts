// pino, with every place a secret can hide redacted: webhook paths carry the secret, tokens
// travel in `auth` / `access_token` parameters and the Authorization header.
import pino, { type Logger } from 'pino';

export type { Logger };

const SECRET_IN_PATH = /^(\/+rest\/+[^/?]+\/+)([^/?]+)(\/+[^/?]*)?/i;
const SECRET_IN_QUERY = /([?&](?:auth|access_token|refresh_token|client_secret|code|token|password)=)[^&]*/gi;

/** A URL with the webhook secret and any token parameters replaced by `***`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_IN_PATH, (_m, head: string, _secret: string, tail = '') => `${head}***${tail}`).replace(SECRET_IN_QUERY, '$1***');
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
