// The configuration blocks of the HAProxy page truehop implements (fixtures/examples, kept
// byte-identical to the protocol digest's examples, see docs/protocol.md): every one loads
// without an alert, with the warnings HAProxy gives too (missing timeouts; "no listener" for
// backend-only files), into the model the page describes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load-config.js';
import type { LoadResult } from '../../src/config/load-config.js';

const DIR = fileURLToPath(new URL('../../../test/config/fixtures/examples/', import.meta.url));

function load(name: string): LoadResult {
  return loadConfig([DIR + name], { env: {} });
}

/** Our own diagnostics (the expression engine may add its own warnings, e.g. on `eq`). */
function configCodes(r: LoadResult): string[] {
  const mine = new Set(['MISSING_TIMEOUTS', 'NO_LISTENER', 'PP2_OPTION_WITHOUT_V2', 'TLV_FMT_WITHOUT_V2', 'CHECK_WITHOUT_PROXY']);
  return r.diagnostics.filter((d) => mine.has(d.code)).map((d) => `${d.code} ${d.pos.line}:${d.pos.col}`);
}

function noAlert(r: LoadResult): void {
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'alert').map((d) => `${d.code} ${d.pos.line}:${d.pos.col} ${d.message}`), []);
  assert.equal(r.ok, true);
}

test('the fixtures hold the seven examples this file checks', () => {
  assert.deepEqual(readdirSync(DIR).filter((n) => n.endsWith('.cfg')).sort(), [
    '01-receive.cfg', '02-send-v1.cfg', '03-send-v2.cfg', '04-tlv-receive-azure.cfg',
    '05-tlv-receive-aws.cfg', '06-tlv-send-azure.cfg', '07-tlv-send-aws.cfg',
  ]);
});

test('01-receive: accept-proxy on the frontend, checks on the servers', () => {
  const r = load('01-receive.cfg');
  noAlert(r);
  assert.deepEqual(configCodes(r), ['MISSING_TIMEOUTS 2:1', 'MISSING_TIMEOUTS 6:1']);
  const fe = r.model.frontends.get('mywebsite')!;
  assert.deepEqual(fe.binds.map((b) => [b.host, b.port, b.acceptProxy]), [['', 80, true]]);
  assert.equal(fe.defaultBackend?.name, 'webservers');
  const be = r.model.backends.get('webservers')!;
  assert.equal(be.balance, 'roundrobin');
  assert.deepEqual(be.servers.map((s) => [s.name, s.host, s.port, s.check.enabled, s.sendProxy]), [
    ['s1', '192.168.56.20', 3000, true, 'none'],
    ['s2', '192.168.56.21', 3000, true, 'none'],
  ]);
});

for (const [file, version] of [['02-send-v1.cfg', 'v1'], ['03-send-v2.cfg', 'v2']] as const) {
  test(`${file}: send-proxy${version === 'v2' ? '-v2' : ''}, checks inherit it (§4.8)`, () => {
    const r = load(file);
    noAlert(r);
    assert.deepEqual(configCodes(r), ['MISSING_TIMEOUTS 2:1', 'NO_LISTENER 2:1']);
    const be = r.model.backends.get('webservers')!;
    assert.deepEqual(be.servers.map((s) => [s.name, s.sendProxy, s.check.enabled, s.check.sendProxy]), [
      ['s1', version, true, true],
      ['s2', version, true, true],
    ]);
    assert.equal(r.model.frontends.size, 0);
  });
}

for (const [file, tlv] of [['04-tlv-receive-azure.cfg', '0xEE'], ['05-tlv-receive-aws.cfg', '0xEA']] as const) {
  test(`${file}: tcp-request content set-var with fc_pp_tlv(${tlv})`, () => {
    const r = load(file);
    noAlert(r);
    assert.deepEqual(configCodes(r), ['MISSING_TIMEOUTS 2:1']);
    const fe = r.model.frontends.get('fe_main')!;
    assert.deepEqual(fe.binds.map((b) => [b.port, b.acceptProxy]), [[80, true]]);
    assert.equal(fe.tcpRequest.content.length, 1);
    assert.equal(fe.tcpRequest.content[0]?.phase, 'content');
    assert.equal(fe.tcpRequest.connection.length, 0);
  });
}

for (const [file, type] of [['06-tlv-send-azure.cfg', 0xee], ['07-tlv-send-aws.cfg', 0xea]] as const) {
  test(`${file}: send-proxy-v2 with set-proxy-v2-tlv-fmt(0x${type.toString(16).toUpperCase()})`, () => {
    const r = load(file);
    noAlert(r);
    assert.deepEqual(configCodes(r), ['MISSING_TIMEOUTS 2:1', 'NO_LISTENER 2:1']);
    const s = r.model.backends.get('webapp')!.servers[0]!;
    assert.equal(s.sendProxy, 'v2');
    assert.deepEqual(s.tlvFormats.map((t) => [t.type, t.format.source, t.pos.line, t.pos.col]), [[type, `%[fc_pp_tlv(0x${type.toString(16).toUpperCase()})]`, 3, 45]]);
  });
}
