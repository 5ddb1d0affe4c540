// Throw-away PKI for the TLS termination (bind ssl) tests; tls-pki.ts is the smaller one of the
// TLS-to-servers tests (the two overlap; they are not folded into one yet).
// Throw-away certificates for the TLS tests, made with openssl in a temporary directory at
// test time (no key material in the repository): a CA, three server PEMs (certificate + key
// in one file, as HAProxy reads `crt`) for SNI choice, and client certificates that are
// valid, expired, or signed by a CA the server does not know.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from './require-peer.js';

export interface ServerPem {
  /** SNI name it answers for (subjectAltName DNS and CN). */
  readonly name: string;
  /** cert + key in one PEM. */
  readonly pem: string;
  /** What the SSL TLV's cert-key says about it (HAProxy's cert_get_pkey_algo). */
  readonly keyAlg: string;
}

export interface ClientCert {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  /** a.test (EC P-256, the default), b.test (RSA 2048), c.test (EC P-384). */
  readonly servers: readonly [ServerPem, ServerPem, ServerPem];
  readonly clientValid: ClientCert;
  readonly clientExpired: ClientCert;
  readonly clientUnknownCa: ClientCert;
  cleanup(): void;
}

const KEYS = {
  p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
  p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1'],
  rsa: ['-newkey', 'rsa:2048'],
} as const;

export function makeTestPki(): TestPki {
  const openssl = requirePeer('openssl');
  const dir = mkdtempSync(join(tmpdir(), 'truehop-tls-'));
  const run = (args: string[]): void => {
    execFileSync(openssl, args, { stdio: 'pipe', timeout: 30_000 });
  };
  const p = (n: string): string => join(dir, n);
  const selfSignedCa = (name: string, cn: string): void =>
    run(['req', '-x509', ...KEYS.p256, '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.pem`), '-days', '2', '-subj', `/O=Truehop Test/CN=${cn}`]);
  selfSignedCa('ca', 'Truehop Test CA');
  selfSignedCa('other-ca', 'Unknown CA');
  /** A certificate signed by `ca`; `days` -1 makes it already expired. */
  const issue = (name: string, key: readonly string[], subj: string, ca: string, days: number, san?: string): void => {
    run(['req', ...key, '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj]);
    const ext = p(`${name}.ext`);
    writeFileSync(ext, san === undefined ? 'basicConstraints=CA:FALSE\n' : `subjectAltName=DNS:${san}\n`);
    run(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p(`${ca}.pem`), '-CAkey', p(`${ca}.key`), '-days', String(days), '-out', p(`${name}.crt`), '-extfile', ext]);
  };
  const server = (name: string, key: readonly string[], keyAlg: string): ServerPem => {
    issue(name, key, `/CN=${name}`, 'ca', 2, name);
    const pem = p(`${name}.pem`);
    writeFileSync(pem, readFileSync(p(`${name}.crt`), 'latin1') + readFileSync(p(`${name}.key`), 'latin1'));
    return { name, pem, keyAlg };
  };
  const servers = [server('a.test', KEYS.p256, 'EC256'), server('b.test', KEYS.rsa, 'RSA2048'), server('c.test', KEYS.p384, 'EC384')] as const;
  const client = (name: string, ca: string, days: number): ClientCert => {
    issue(name, KEYS.p256, `/C=FR/O=Acme/CN=${name}`, ca, days);
    return { cert: p(`${name}.crt`), key: p(`${name}.key`) };
  };
  return {
    dir,
    caFile: p('ca.pem'),
    servers,
    clientValid: client('client-valid', 'ca', 2),
    clientExpired: client('client-expired', 'ca', -1),
    clientUnknownCa: client('client-unknown', 'other-ca', 2),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
