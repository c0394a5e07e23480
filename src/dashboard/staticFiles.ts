// The dashboard's built files (web/app/, bundled into dist/web/app/ by web/build.mjs), served
// from memory with a strict Content-Security-Policy: scripts and styles from this origin only,
// no inline script, and calls to this origin only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';

/** The same directory from src/dashboard/ (tests) and dist/dashboard/ (the package). */
export const WEB_ROOT = fileURLToPath(new URL('../../dist/web/app/', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Asset names are plain file names: nothing can climb out of the folder. */
const ASSET_NAME = /^[a-z0-9][a-z0-9_-]*\.(js|css|svg|png)$/;

export function withPageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

export class StaticFiles {
  private readonly cache = new Map<string, Buffer | null>();

  constructor(private readonly root: string = WEB_ROOT) {}

  private read(relative: string): Buffer | null {
    if (!this.cache.has(relative)) {
      let content: Buffer | null = null;
      try {
        content = fs.readFileSync(path.join(this.root, relative));
      } catch {
        content = null;
      }
      // A missing file is looked for again, so a build after start is picked up.
      if (content === null) return null;
      this.cache.set(relative, content);
    }
    return this.cache.get(relative) ?? null;
  }

  /** index.html, or undefined when the dashboard was not built. */
  page(): Buffer | null {
    return this.read('index.html');
  }

  asset(name: string): { body: Buffer; type: string } | null {
    if (!ASSET_NAME.test(name)) return null;
    const body = this.read(path.join('assets', name));
    return body ? { body, type: TYPES[path.extname(name)] } : null;
  }
}
