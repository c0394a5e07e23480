// A self-signed certificate for 127.0.0.1 and localhost, so unmodified HTTPS-only clients
// (b24jssdk B24Hook, b24pysdk) can talk to a local server (clients.md §1.8).
import fs from 'node:fs';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export function tlsFiles(dataDir: string): TlsFiles {
  return { certFile: path.join(dataDir, 'tls', 'cert.pem'), keyFile: path.join(dataDir, 'tls', 'key.pem') };
}

/** Creates the certificate on first use; later calls reuse the files. Returns whether it was created. */
export async function ensureCertificate(dataDir: string, now: Date = new Date()): Promise<boolean> {
  const files = tlsFiles(dataDir);
  if (fs.existsSync(files.certFile) && fs.existsSync(files.keyFile)) return false;
  fs.mkdirSync(path.dirname(files.certFile), { recursive: true, mode: 0o700 });
  const notAfter = new Date(now.getTime() + 825 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'Salestrace local server' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      // Its own CA, so NODE_EXTRA_CA_CERTS=cert.pem makes clients trust it.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  fs.writeFileSync(files.keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(files.certFile, pems.cert, { mode: 0o644 });
  return true;
}

export function readTls(dataDir: string): { cert: Buffer; key: Buffer } {
  const files = tlsFiles(dataDir);
  return { cert: fs.readFileSync(files.certFile), key: fs.readFileSync(files.keyFile) };
}
