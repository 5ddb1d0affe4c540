// The configuration lines of issue 5 / test/config/fixtures/examples 04–07, evaluated on real
// headers encoded and decoded by the codec, with the digest's values (docs/protocol.md §3.5,
// §4.11–§4.14).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode, tlv } from '@truehop/proxy-protocol';
import { awsVpceIdTlv } from '@truehop/proxy-protocol/aws';
import { compileLogFormat } from '../sample/log-format.js';
import { compileTcpRuleLine, createCompileEnv, words } from '../../test/support/compile-env-fixture.js';
import { decodedHeader, v2Header } from '../../test/support/header-fixture.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import type { CompiledTcpRule } from '../sample/compiled.js';
import type { ProxyHeader } from '@truehop/proxy-protocol';
import type { Word } from '../text/source.js';

const AZURE_RULE = 'content set-var(sess.azure_vpcid) fc_pp_tlv(0xEE),bytes(1) if { fc_pp_tlv(0xEE),bytes(0,1),hex eq 01 }';
const AWS_RULE = 'content set-var(sess.aws_linkid) fc_pp_tlv(0xEA),bytes(1) if { fc_pp_tlv(0xEA),bytes(0,1),hex eq 01 }';
const AZURE_VALUE = Buffer.from('01c1450021', 'hex');

function compileRule(line: string): { rule: CompiledTcpRule; diagnostics: string[] } {
  const env = createCompileEnv('content');
  const d = compileTcpRuleLine(line, env);
  assert.ok(d !== undefined, JSON.stringify(env.diagnostics.items));
  return { rule: d, diagnostics: env.diagnostics.items.map((x) => `${x.severity}:${x.code}`) };
}

function forward(fmt: string, header: ProxyHeader, type: number): Buffer {
  const env = createCompileEnv('backend');
  const compiled = compileLogFormat(words(fmt)[0] ?? { text: '', pos: { file: '', line: 1, col: 1 }, quoted: false }, env);
  assert.ok(compiled, JSON.stringify(env.diagnostics.items));
  assert.deepEqual(env.diagnostics.items, []);
  const value = compiled.render(createSessionContext({ proxyHeader: header }));
  // What the server receives: a v2 header carrying the rendered TLV, through the codec.
  const sent = decode(encode({ version: 2, src: '192.0.2.1', srcPort: 51000, dst: '192.168.1.10', dstPort: 80, tlvs: [tlv(type, value)] }));
  assert.equal(sent.status, 'complete');
  const out = sent.status === 'complete' ? sent.header.tlvs.find((t) => t.type === type)?.value : undefined;
  assert.ok(out);
  return Buffer.from(out);
}

describe('issue 5 examples', () => {
  it('Azure: subtype 0x01 matches and bytes(1) stores exactly c1 45 00 21 (NUL kept)', () => {
    const { rule, diagnostics } = compileRule(AZURE_RULE);
    assert.deepEqual(diagnostics, ['warning:ACL_OPERATOR_AS_PATTERN'], 'loads with the explanatory warning and no alert');
    const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0xee, AZURE_VALUE)]) });
    assert.deepEqual(rule.run(ctx), { verdict: 'continue', matched: true });
    const stored = ctx.vars?.get('sess.azure_vpcid');
    assert.deepEqual(stored, { type: 'bin', value: Buffer.from([0xc1, 0x45, 0x00, 0x21]) });
    assert.equal(stored?.type === 'bin' ? stored.value.readUInt32LE(0) : 0, 553665985);
  });
  it('Azure: subtype 0x02 does not match and does not hang (HAProxy #3482)', { timeout: 10_000 }, () => {
    const { rule } = compileRule(AZURE_RULE);
    const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0xee, Buffer.from('02c1450021', 'hex'))]) });
    assert.deepEqual(rule.run(ctx), { verdict: 'continue', matched: false });
    assert.equal((ctx.vars ??= new Map()).has('sess.azure_vpcid'), false);
  });
  it('Azure: no 0xEE TLV, an empty one, no header at all → no match', () => {
    const { rule } = compileRule(AZURE_RULE);
    for (const header of [v2Header(), v2Header([tlv(0xee, '')]), null, decodedHeader({ version: 1 })]) {
      const ctx = createSessionContext({ proxyHeader: header });
      assert.equal(rule.run(ctx).matched, false);
    }
  });
  it('Azure: several 0xEE TLVs — the ACL matches if any does; set-var takes the first (HAProxy semantics)', { timeout: 10_000 }, () => {
    const { rule } = compileRule(AZURE_RULE);
    const ctx = createSessionContext({
      proxyHeader: v2Header([tlv(0xee, Buffer.from('02aabbccdd', 'hex')), tlv(0xee, '\x03'), tlv(0xee, AZURE_VALUE)]),
    });
    assert.equal(rule.run(ctx).matched, true);
    assert.deepEqual(ctx.vars?.get('sess.azure_vpcid'), { type: 'bin', value: Buffer.from('aabbccdd', 'hex') });
    const none = createSessionContext({ proxyHeader: v2Header([tlv(0xee, '\x02x'), tlv(0xee, '\x03y'), tlv(0xee, '\x04z')]) });
    assert.equal(rule.run(none).matched, false);
  });
  it('AWS: subtype 0x01 stores the VPC endpoint id', () => {
    const { rule, diagnostics } = compileRule(AWS_RULE);
    assert.deepEqual(diagnostics, ['warning:ACL_OPERATOR_AS_PATTERN']);
    const ctx = createSessionContext({ proxyHeader: v2Header([awsVpceIdTlv('vpce-08d2bf15fac5001c9')]) });
    assert.equal(rule.run(ctx).matched, true);
    assert.deepEqual(ctx.vars?.get('sess.aws_linkid'), { type: 'bin', value: Buffer.from('vpce-08d2bf15fac5001c9') });
  });
  it('set-proxy-v2-tlv-fmt(0xEE) %[fc_pp_tlv(0xEE)] forwards all 5 bytes intact (HAProxy #3489 sends 01 c1 45)', () => {
    assert.deepEqual(forward('%[fc_pp_tlv(0xEE)]', v2Header([tlv(0xee, AZURE_VALUE)]), 0xee), AZURE_VALUE);
    const nulFirst = Buffer.from('010a000000', 'hex');
    assert.deepEqual(forward('%[fc_pp_tlv(0xEE)]', v2Header([tlv(0xee, nulFirst)]), 0xee), nulFirst);
  });
  it('set-proxy-v2-tlv-fmt(0xEA) %[fc_pp_tlv(0xEA)] forwards the AWS TLV; a missing TLV forwards an empty value', () => {
    const aws = awsVpceIdTlv('vpce-08d2bf15fac5001c9');
    assert.deepEqual(forward('%[fc_pp_tlv(0xEA)]', v2Header([aws]), 0xea), Buffer.from(aws.value));
    assert.deepEqual(forward('%[fc_pp_tlv(0xEA)]', v2Header(), 0xea), Buffer.alloc(0));
  });
  it("GCP: Google's codelab header (§3.5) — id 43686719580552292, a leading NUL forwarded intact", () => {
    const wire = Buffer.from('0d0a0d0a000d0a515549540a21110017' + '0a003c020a003c6481380050' + 'e00008009b34d70a003c64', 'hex');
    const decoded = decode(wire);
    assert.equal(decoded.status, 'complete');
    if (decoded.status !== 'complete') return;
    const env = createCompileEnv('content');
    const ctx = createSessionContext({ proxyHeader: decoded.header });
    const d = compileTcpRuleLine('content set-var(sess.psc) fc_pp_tlv(0xE0),be2dec(,8) if { fc_pp_gcp_psc_id 43686719580552292 } { src 10.0.60.2 }', env);
    assert.ok(d !== undefined, JSON.stringify(env.diagnostics.items));
    assert.equal(d.run(ctx).matched, true);
    assert.deepEqual(ctx.vars?.get('sess.psc'), { type: 'str', value: '43686719580552292' });
    assert.deepEqual(forward('%[fc_pp_tlv(0xE0)]', decoded.header, 0xe0), Buffer.from('009b34d70a003c64', 'hex'));
  });
  it("HAProxy's reg-tests/sample_fetches/tlvs.vtc, byte for byte (len 0x00B0, a 128-byte TLV)", () => {
    const wire = Buffer.from([
      '0d0a0d0a000d0a515549540a', '21', '11', '00b0', '7f0000017f000001002a0539',
      'ea000b01' + Buffer.from('aws-vpc-id').toString('hex'),
      'ee000701' + Buffer.from('LINKID').toString('hex'),
      'eb0006' + Buffer.from('custom').toString('hex'),
      'ec0080' + '3ad9329b11a7298114b233f0c20d7a53d19728744b788ad310c4b188429c638e8b8aa0b4b0e79d20270f1e534d33f75ad0913fb8c9e916c461c5130292649dd4225c8e4e0b2d2d7d9f5d979b25c4127d2175c815926b64f25fc0a90f9a7d0a6d6879f456186f23452a9b36343a47433229186f23452a9b36343a474332293229',
    ].join(''), 'hex');
    const decoded = decode(wire);
    assert.equal(decoded.status, 'complete');
    if (decoded.status !== 'complete') return;
    const ctx = createSessionContext({ proxyHeader: decoded.header });
    compileRule('content set-var(sess.aws) fc_pp_tlv(0xEA),bytes(1) if { fc_pp_tlv(0xEE),bytes(0,1),hex eq 01 }').rule.run(ctx);
    compileRule('content set-var(sess.azure) fc_pp_tlv(0xEE),bytes(1) if { fc_pp_tlv(0xEA),bytes(0,1),hex eq 01 }').rule.run(ctx);
    const env = createCompileEnv('backend');
    const fmt = compileLogFormat(words('%[var(sess.aws)]|%[var(sess.azure)]|%[fc_pp_tlv(0xEB)]|%[fc_pp_tlv(0xEC),length]')[0] as Word, env);
    assert.ok(fmt, JSON.stringify(env.diagnostics.items));
    assert.equal(fmt.render(ctx).toString('latin1'), 'aws-vpc-id|LINKID|custom|128');
  });
  it('the intent-revealing equivalents of §4.13 behave the same', () => {
    for (const cond of ['{ fc_pp_tlv(0xEE),bytes(0,1) -m bin 01 }', '{ fc_pp_tlv(0xEE),bytes(0,1),hex -m int eq 1 }', '{ fc_pp_azure_linkid 553665985 }']) {
      const { rule, diagnostics } = compileRule(`content set-var(sess.v) fc_pp_tlv(0xEE),bytes(1) if ${cond}`);
      assert.deepEqual(diagnostics, [], cond);
      const yes = createSessionContext({ proxyHeader: v2Header([tlv(0xee, AZURE_VALUE)]) });
      const no = createSessionContext({ proxyHeader: v2Header([tlv(0xee, '\x02\xc1E\x00!')]) });
      assert.equal(rule.run(yes).matched, true, cond);
      assert.equal(rule.run(no).matched, false, cond);
    }
  });
});
