// Throw-away certificates for the TLS tests, made with the openssl peer in a temporary
// directory (the run's TMPDIR, which the sandbox lets tests read): a test CA, a server
// certificate it signed for the names given, and a second, unrelated CA (a "wrong CA" for
// the verification tests). EC P-256 keys: quick to make.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from './require-peer.js';

export interface TestPki {
  dir: string;
  /** PEM file of the test CA, and its text. */
  caFile: string;
  ca: string;
  /** PEM file of another CA that signed nothing we serve. */
  otherCaFile: string;
  /** Server certificate (signed by the CA) and its key, as files and as text. */
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** Certificate, then key, in one file: how HAProxy's `crt` reads them. */
  pemFile: string;
}

export function makeTestPki(names: readonly string[]): TestPki {
  const openssl = requirePeer('openssl');
  const dir = mkdtempSync(join(tmpdir(), 'truehop-pki-'));
  const run = (args: string[]): void => {
    execFileSync(openssl, args, { cwd: dir, stdio: 'pipe', timeout: 20_000 });
  };
  const ecKey = (out: string): void => run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', out]);
  for (const ca of ['ca', 'other-ca']) {
    ecKey(`${ca}.key`);
    run(['req', '-x509', '-new', '-key', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=truehop test ${ca}`]);
  }
  ecKey('server.key');
  run(['req', '-new', '-key', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0] ?? 'localhost'}`]);
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}\n`);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
  const cert = readFileSync(join(dir, 'server.pem'), 'utf8');
  const key = readFileSync(join(dir, 'server.key'), 'utf8');
  writeFileSync(join(dir, 'server-full.pem'), cert + key);
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    otherCaFile: join(dir, 'other-ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    cert,
    key,
    pemFile: join(dir, 'server-full.pem'),
  };
}
