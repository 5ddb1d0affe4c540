// A throw-away self-signed certificate for localhost, generated at test time with openssl
// (no key material committed to the repository).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from './require-peer.js';

export interface TestCertificate {
  key: Buffer;
  cert: Buffer;
}

let cached: TestCertificate | undefined;

export function testCertificate(): TestCertificate {
  if (cached !== undefined) return cached;
  const openssl = requirePeer('openssl');
  const dir = mkdtempSync(join(tmpdir(), 'truehop-node-cert-'));
  try {
    execFileSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'pipe', timeout: 20_000 });
    cached = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
