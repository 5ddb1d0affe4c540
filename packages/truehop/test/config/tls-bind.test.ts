// TLS binds at load time: certificates read from files and directories, global
// ssl-default-bind-* and crt-base applied, and every broken input an alert at the word that
// named the file — whose text never carries the private key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigText, type LoadResult } from '../../src/config/load-config.js';
import { peerSkip } from '../support/require-peer.js';
import { makeTestPki, type TestPki } from '../support/tls-bind-pki.js';

function load(bindOptions: string, global = ''): LoadResult {
  return loadConfigText([{ file: '/cfg/t.cfg', text: [
    'global', ...(global === '' ? [] : [`  ${global}`]),
    'defaults', '  mode tcp', '  timeout connect 1s', '  timeout client 1s', '  timeout server 1s',
    'frontend fe', `  bind 127.0.0.1:61560 ${bindOptions}`, '  default_backend be',
    'backend be', '  server s1 127.0.0.1:61561', ''].join('\n') }], { env: {} });
}

function alerts(r: LoadResult): string[] {
  return r.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.pos.line}:${d.pos.col} ${d.code} ${d.message}`);
}

describe('ssl binds at load time', { skip: peerSkip('openssl') }, () => {
  let pki: TestPki;
  before(() => {
    pki = makeTestPki();
  });
  after(() => pki?.cleanup());

  it('several crt: the first is the default, names come from SAN/CN, key algorithms are described', () => {
    const [a, b, c] = pki.servers;
    const r = load(`ssl crt ${a.pem} crt ${b.pem} crt ${c.pem} alpn h2,http/1.1`);
    assert.deepEqual(alerts(r), []);
    const tls = r.model?.frontends.get('fe')?.binds[0]?.tls;
    assert.ok(tls);
    assert.equal(tls.defaultCertificate.file, a.pem);
    assert.deepEqual([...tls.byName.keys()].sort(), ['a.test', 'b.test', 'c.test']);
    assert.deepEqual([...tls.byName.values()].map((t) => t.keyAlg).sort(), ['EC256', 'EC384', 'RSA2048']);
    assert.equal(tls.byName.get('b.test')?.sigAlg, 'ecdsa-with-SHA256');
    assert.deepEqual(tls.alpn, ['h2', 'http/1.1']);
    assert.equal(tls.verify, 'none');
  });

  it('a crt directory loads every certificate in name order; crt-base resolves relative paths', () => {
    const dir = join(pki.dir, 'certs');
    mkdirSync(dir, { recursive: true });
    for (const s of pki.servers) copyFileSync(s.pem, join(dir, `${s.name}.pem`));
    writeFileSync(join(dir, 'a.test.pem.ocsp'), 'not a certificate');
    const r = load('ssl crt certs', `crt-base ${pki.dir}`);
    assert.deepEqual(alerts(r), []);
    const tls = r.model?.frontends.get('fe')?.binds[0]?.tls;
    assert.equal(tls?.defaultCertificate.file, join(dir, 'a.test.pem'));
    assert.equal(tls?.byName.size, 3);
  });

  it('missing, empty, key-less and mismatched files are alerts at the crt word, and never quote the key', () => {
    const [a] = pki.servers;
    const empty = join(pki.dir, 'empty.pem');
    writeFileSync(empty, 'nothing here\n');
    const certOnly = join(pki.dir, 'cert-only.pem');
    writeFileSync(certOnly, readFileSync(join(pki.dir, 'a.test.crt')));
    const mismatch = join(pki.dir, 'mismatch.pem');
    const bKey = readFileSync(join(pki.dir, 'b.test.key'), 'latin1');
    writeFileSync(mismatch, readFileSync(join(pki.dir, 'a.test.crt'), 'latin1') + bKey);
    const broken = join(pki.dir, 'broken-key.pem');
    const aKey = readFileSync(join(pki.dir, 'a.test.key'), 'latin1');
    const mangledKey = aKey.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!');
    writeFileSync(broken, readFileSync(join(pki.dir, 'a.test.crt'), 'latin1') + mangledKey);
    for (const [file, code, text] of [
      [join(pki.dir, 'nope.pem'), 'FILE_UNREADABLE', 'ENOENT'],
      [empty, 'BAD_CERTIFICATE', 'holds no PEM certificate'],
      [certOnly, 'FILE_UNREADABLE', '.key'],
      [mismatch, 'BAD_CERTIFICATE', 'does not match'],
      [broken, 'BAD_CERTIFICATE', 'cannot be parsed'],
    ] as const) {
      const r = load(`ssl crt ${a.pem} crt ${file}`);
      const list = alerts(r);
      assert.equal(list.length, 1, list.join('\n'));
      const col = `  bind 127.0.0.1:61560 ssl crt ${a.pem} crt `.length + 1;
      assert.match(list[0] as string, new RegExp(`^8:${col} ${code} .*${text.replace('.', '\\.')}`));
      const all = r.diagnostics.map((d) => d.message).join('\n');
      for (const secret of [bKey, aKey, mangledKey]) {
        const body = secret.split('\n')[1] as string;
        assert.equal(all.includes(body), false, 'no key material in any message');
      }
    }
  });

  it('ssl without crt, verify without ca-file, min above max: alerts naming what is missing', () => {
    const [a] = pki.servers;
    assert.match(alerts(load('ssl'))[0] as string, /MISSING_ARGUMENT 'ssl' on a bind line needs at least one 'crt'/);
    assert.match(alerts(load(`ssl crt ${a.pem} verify required`))[0] as string, /MISSING_ARGUMENT 'verify required' needs a 'ca-file'/);
    assert.match(alerts(load(`ssl crt ${a.pem} ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2`))[0] as string, /BAD_VALUE ssl-min-ver TLSv1\.3 is above ssl-max-ver TLSv1\.2/);
    assert.match(alerts(load(`ssl crt ${a.pem} ssl-min-ver SSLv3`))[0] as string, /NOT_SUPPORTED_YET 'SSLv3'/);
    assert.match(alerts(load(`ssl crt ${a.pem} ciphers NOPE-NOTHING`))[0] as string, /BAD_CERTIFICATE cannot build a TLS context .* and the bind's settings/);
  });

  it('global ssl-default-bind-* apply where the bind line is silent; the line wins', () => {
    const [a] = pki.servers;
    // A cipher list OpenSSL refuses proves the default reached the bind; the line's own list then wins.
    assert.match(alerts(load(`ssl crt ${a.pem}`, 'ssl-default-bind-ciphers NOPE-NOTHING'))[0] as string, /BAD_CERTIFICATE/);
    assert.deepEqual(alerts(load(`ssl crt ${a.pem} ciphers ECDHE-ECDSA-AES128-GCM-SHA256`, 'ssl-default-bind-ciphers NOPE-NOTHING')), []);
    assert.match(alerts(load(`ssl crt ${a.pem} ssl-max-ver TLSv1.2`, 'ssl-default-bind-options ssl-min-ver TLSv1.3'))[0] as string, /BAD_VALUE/);
    assert.match(alerts(load(`ssl crt ${a.pem}`, 'ssl-default-bind-options force-tlsv13'))[0] as string, /NOT_SUPPORTED_YET .*'force-tlsv13'/);
  });
});
