// Creates one TLS certificate for the whole run and makes every test process trust it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureCertificate, tlsFiles } from '../../src/tls/certificate.js';

export default async function setup(): Promise<() => void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-tls-'));
  await ensureCertificate(dir);
  process.env.SALESTRACE_TEST_TLS_DIR = dir;
  process.env.NODE_EXTRA_CA_CERTS = tlsFiles(dir).certFile;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
