// One test (at least) per fetch, on real headers built and decoded by the codec.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorityTlv, tlv, uniqueIdTlv } from '@truehop/proxy-protocol';
import { awsVpceIdTlv } from '@truehop/proxy-protocol/aws';
import { azureLinkIdTlv } from '@truehop/proxy-protocol/azure';
import { gcpPscConnectionIdTlv } from '@truehop/proxy-protocol/gcp';
import { sslTlv } from '@truehop/proxy-protocol/ssl';
import type { Phase, SessionContext } from '../model/session.js';
import { createCompileEnv, word } from '../../test/support/compile-env-fixture.js';
import { compileExpression } from './expression.js';
import { decodedHeader, v2Header } from '../../test/support/header-fixture.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import type { Sample } from './types.js';

function run(text: string, ctx: SessionContext, compilePhase: Phase = 'backend'): Sample | undefined {
  const env = createCompileEnv(compilePhase);
  const expr = compileExpression(word(text), env, { checkPhase: true });
  assert.ok(expr, `${text}: ${JSON.stringify(env.diagnostics.items)}`);
  return plain(expr.evaluate(ctx));
}

/** Drops the optional `raw` view of string samples so results compare by type and value. */
function plain(s: Sample | undefined): Sample | undefined {
  return s?.type === 'str' ? { type: 'str', value: s.value } : s;
}

function all(text: string, ctx: SessionContext): Sample[] {
  const env = createCompileEnv('content');
  const expr = compileExpression(word(text), env, { checkPhase: true });
  assert.ok(expr);
  const out: Sample[] = [];
  expr.matchAny((s) => {
    out.push(plain(s) as Sample);
    return false;
  })(ctx);
  return out;
}

const real = { realClient: { address: '10.0.0.9', port: 33000, family: 'IPv4' as const }, realLocal: { address: '10.0.0.1', port: 8443, family: 'IPv4' as const } };

describe('address fetches', () => {
  const header = v2Header();
  it('src/dst report the advertised addresses after a header', () => {
    const ctx = createSessionContext({ ...real, proxyHeader: header, phase: 'content' });
    assert.deepEqual(run('src', ctx), { type: 'ipv4', value: '192.0.2.1' });
    assert.deepEqual(run('src_port', ctx), { type: 'int', value: 51000 });
    assert.deepEqual(run('dst', ctx), { type: 'ipv4', value: '198.51.100.2' });
    assert.deepEqual(run('dst_port', ctx), { type: 'int', value: 443 });
  });
  it("…but the real peer inside 'tcp-request connection' (§4.1)", () => {
    const ctx = createSessionContext({ ...real, proxyHeader: header, phase: 'connection' });
    assert.deepEqual(run('src', ctx), { type: 'ipv4', value: '10.0.0.9' });
    assert.deepEqual(run('dst_port', ctx), { type: 'int', value: 8443 });
  });
  it('fc_* always report the real TCP endpoints', () => {
    const ctx = createSessionContext({ ...real, proxyHeader: header });
    assert.deepEqual(run('fc_src', ctx), { type: 'ipv4', value: '10.0.0.9' });
    assert.deepEqual(run('fc_src_port', ctx), { type: 'int', value: 33000 });
    assert.deepEqual(run('fc_dst', ctx), { type: 'ipv4', value: '10.0.0.1' });
    assert.deepEqual(run('fc_dst_port', ctx), { type: 'int', value: 8443 });
  });
  it('LOCAL headers keep the real addresses; IPv6 is typed ipv6', () => {
    const local = createSessionContext({ ...real, proxyHeader: decodedHeader({ version: 2, command: 'LOCAL' }) });
    assert.deepEqual(run('src', local), { type: 'ipv4', value: '10.0.0.9' });
    const v6 = createSessionContext({ proxyHeader: decodedHeader({ version: 2, src: '2001:db8::1', srcPort: 1, dst: '2001:db8::2', dstPort: 2 }) });
    assert.deepEqual(run('src', v6), { type: 'ipv6', value: '2001:db8::1' });
  });
  it('src_port/dst_port return nothing for port 0 (HAProxy oddity, §4.11)', () => {
    const ctx = createSessionContext({ proxyHeader: decodedHeader({ version: 2, src: '192.0.2.1', srcPort: 0, dst: '192.0.2.2', dstPort: 0 }) });
    assert.equal(run('src_port', ctx), undefined);
    assert.equal(run('dst_port', ctx), undefined);
  });
});

describe('PROXY header fetches', () => {
  it('fc_rcvd_proxy: true with any header, including LOCAL', () => {
    assert.deepEqual(run('fc_rcvd_proxy', createSessionContext({ proxyHeader: v2Header() })), { type: 'bool', value: true });
    assert.deepEqual(run('fc_rcvd_proxy', createSessionContext({ proxyHeader: decodedHeader({ version: 2, command: 'LOCAL' }) })), { type: 'bool', value: true });
    assert.deepEqual(run('fc_rcvd_proxy', createSessionContext()), { type: 'bool', value: false });
  });
  it('fc_pp_tlv: numbers in any strtoul base, names case-insensitive, raw bytes typed string', () => {
    const ctx = createSessionContext({ proxyHeader: v2Header([authorityTlv('example.com'), tlv(0xee, Buffer.from('01c1450021', 'hex'))]) });
    for (const id of ['0xEE', '0xee', '238', '0356']) assert.deepEqual(run(`fc_pp_tlv(${id})`, ctx), { type: 'str', value: '\x01\xc1E\x00!' }, id);
    for (const id of ['AUTHORITY', 'authority', '2', '0x02']) assert.deepEqual(run(`fc_pp_tlv(${id})`, ctx), { type: 'str', value: 'example.com' }, id);
    assert.equal(run('fc_pp_tlv(0xEA)', ctx), undefined);
    assert.equal(run('fc_pp_tlv(0xEE)', createSessionContext()), undefined);
  });
  it('fc_pp_tlv: first occurrence for evaluate, every occurrence for forEach, in order', () => {
    const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0xee, '\x02a'), tlv(0x01, 'h2'), tlv(0xee, '\x01b'), tlv(0xee, '')]) });
    assert.deepEqual(run('fc_pp_tlv(0xEE)', ctx), { type: 'str', value: '\x02a' });
    assert.deepEqual(all('fc_pp_tlv(0xEE),hex', ctx).map((s) => s.value), ['0261', '0162', '']);
  });
  it("SSL_* names read TOP-LEVEL TLVs only, as HAProxy (§4.11)", () => {
    const nested = createSessionContext({ proxyHeader: v2Header([sslTlv({ clientSsl: true, version: 'TLSv1.3', cn: 'alice' })]) });
    assert.equal(run('fc_pp_tlv(SSL_CN)', nested), undefined);
    assert.equal(run('fc_pp_tlv(SSL)', nested)?.type, 'str');
    const top = createSessionContext({ proxyHeader: v2Header([tlv(0x22, 'bob')]) });
    assert.deepEqual(run('fc_pp_tlv(ssl_cn)', top), { type: 'str', value: 'bob' });
  });
  it('fc_pp_authority, fc_pp_unique_id, fc_pp_alpn: first TLV of their type', () => {
    const ctx = createSessionContext({ proxyHeader: v2Header([tlv(0x01, 'h2'), uniqueIdTlv('id-1'), authorityTlv('a.example'), authorityTlv('b.example')]) });
    assert.deepEqual(run('fc_pp_authority', ctx), { type: 'str', value: 'a.example' });
    assert.deepEqual(run('fc_pp_unique_id', ctx), { type: 'str', value: 'id-1' });
    assert.deepEqual(run('fc_pp_alpn', ctx), { type: 'str', value: 'h2' });
    assert.equal(run('fc_pp_authority', createSessionContext({ proxyHeader: v2Header() })), undefined);
  });
  it('vendor fetches decode AWS, Azure, GCP layouts (§3.5); malformed values give nothing', () => {
    const ctx = createSessionContext({
      proxyHeader: v2Header([
        awsVpceIdTlv('vpce-08d2bf15fac5001c9'),
        tlv(0xee, Buffer.from('01c1450021', 'hex')),
        gcpPscConnectionIdTlv('43686719580552292'),
      ]),
    });
    assert.deepEqual(run('fc_pp_aws_vpce_id', ctx), { type: 'str', value: 'vpce-08d2bf15fac5001c9' });
    assert.deepEqual(run('fc_pp_azure_linkid', ctx), { type: 'int', value: 553665985 });
    assert.deepEqual(run('fc_pp_gcp_psc_id', ctx), { type: 'str', value: '43686719580552292' });
    const bad = createSessionContext({ proxyHeader: v2Header([tlv(0xee, Buffer.from('01c145', 'hex')), tlv(0xe0, 'short'), tlv(0xea, '\x01bad id!'), azureLinkIdTlv(7)]) });
    assert.deepEqual(run('fc_pp_azure_linkid', bad), { type: 'int', value: 7 }, 'skips the malformed one, finds the next');
    assert.equal(run('fc_pp_gcp_psc_id', bad), undefined);
    assert.equal(run('fc_pp_aws_vpce_id', bad), undefined);
  });
  it('nested SSL sub-TLV fetches', () => {
    const cert = Buffer.from('3082000102', 'hex');
    const ctx = createSessionContext({
      proxyHeader: v2Header([sslTlv({ clientSsl: true, certInConnection: true, verify: 0, version: 'TLSv1.3', cn: 'alice', cipher: 'TLS_AES_128_GCM_SHA256', sigAlg: 'RSA-SHA256', keyAlg: 'RSA2048', group: 'x25519', sigScheme: 'rsa_pss_rsae_sha256', clientCert: cert })]),
    });
    assert.deepEqual(run('fc_pp_ssl', ctx), { type: 'bool', value: true });
    assert.deepEqual(run('fc_pp_ssl_client', ctx), { type: 'int', value: 3 });
    assert.deepEqual(run('fc_pp_ssl_verify', ctx), { type: 'int', value: 0 });
    assert.deepEqual(run('fc_pp_ssl_cert_verified', ctx), { type: 'bool', value: true });
    assert.deepEqual(run('fc_pp_ssl_version', ctx), { type: 'str', value: 'TLSv1.3' });
    assert.deepEqual(run('fc_pp_ssl_cn', ctx), { type: 'str', value: 'alice' });
    assert.deepEqual(run('fc_pp_ssl_cipher', ctx), { type: 'str', value: 'TLS_AES_128_GCM_SHA256' });
    assert.deepEqual(run('fc_pp_ssl_sig_alg', ctx), { type: 'str', value: 'RSA-SHA256' });
    assert.deepEqual(run('fc_pp_ssl_key_alg', ctx), { type: 'str', value: 'RSA2048' });
    assert.deepEqual(run('fc_pp_ssl_group', ctx), { type: 'str', value: 'x25519' });
    assert.deepEqual(run('fc_pp_ssl_sig_scheme', ctx), { type: 'str', value: 'rsa_pss_rsae_sha256' });
    assert.deepEqual(run('fc_pp_ssl_client_cert', ctx), { type: 'bin', value: cert });
    // verify 0 without any certificate is NOT a verified certificate (§3.4).
    const noCert = createSessionContext({ proxyHeader: v2Header([sslTlv({ clientSsl: true, verify: 0 })]) });
    assert.deepEqual(run('fc_pp_ssl_cert_verified', noCert), { type: 'bool', value: false });
    assert.equal(run('fc_pp_ssl_cn', noCert), undefined);
    // The codec rejects such a header; a hand-made one (another decoder) still must not throw here.
    const broken = createSessionContext({ proxyHeader: { ...v2Header(), tlvs: [{ type: 0x20, value: Uint8Array.of(1) }] } });
    assert.equal(run('fc_pp_ssl', broken), undefined);
  });
});

describe('internal fetches', () => {
  it('constants: str int bool ipv4 ipv6 bin always_true always_false', () => {
    const ctx = createSessionContext();
    assert.deepEqual(run('str(hello)', ctx), { type: 'str', value: 'hello' });
    assert.deepEqual(run('int(-12)', ctx), { type: 'int', value: -12 });
    assert.deepEqual(run('bool(true)', ctx), { type: 'bool', value: true });
    assert.deepEqual(run('bool(0)', ctx), { type: 'bool', value: false });
    assert.deepEqual(run('ipv4(10.1.2.3)', ctx), { type: 'ipv4', value: '10.1.2.3' });
    assert.deepEqual(run('ipv6(2001:DB8::1)', ctx), { type: 'ipv6', value: '2001:db8::1' });
    assert.deepEqual(run('bin(00ff)', ctx), { type: 'bin', value: Buffer.from([0, 255]) });
    assert.deepEqual(run('always_true', ctx), { type: 'bool', value: true });
    assert.deepEqual(run('always_false', ctx), { type: 'bool', value: false });
  });
  it('fe_name, be_name, srv_name', () => {
    const ctx = createSessionContext({ frontendName: 'fe1' });
    assert.deepEqual(run('fe_name', ctx), { type: 'str', value: 'fe1' });
    assert.equal(run('be_name', ctx), undefined);
    ctx.backendName = 'be1';
    ctx.serverName = 's1';
    assert.deepEqual(run('be_name', ctx), { type: 'str', value: 'be1' });
    assert.deepEqual(run('srv_name', ctx), { type: 'str', value: 's1' });
  });
  it('date with offset and unit; uuid v4 and v7', () => {
    const ctx = createSessionContext();
    const before = Math.floor(Date.now() / 1000);
    const d = run('date', ctx) as { value: number };
    assert.ok(d.value >= before && d.value <= before + 2);
    const ms = run('date(10,ms)', ctx) as { value: number };
    assert.ok(Math.abs(ms.value - Date.now() - 10) < 2000);
    const v4 = run('uuid', ctx) as { value: string };
    assert.match(v4.value, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const v7 = run('uuid(7)', ctx) as { value: string };
    assert.match(v7.value, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(run('uuid', ctx)?.value, v4.value);
  });
  it('var: stored sample, proc scope, default when unset', () => {
    const ctx = createSessionContext();
    (ctx.vars ??= new Map()).set('sess.x', { type: 'bin', value: Buffer.from([0, 1]) });
    ctx.procVars.set('proc.p', { type: 'int', value: 3 });
    assert.deepEqual(run('var(sess.x)', ctx), { type: 'bin', value: Buffer.from([0, 1]) });
    assert.deepEqual(run('var(proc.p)', ctx), { type: 'int', value: 3 });
    assert.equal(run('var(sess.y)', ctx), undefined);
    assert.deepEqual(run('var(sess.y,fallback)', ctx), { type: 'str', value: 'fallback' });
  });
  it('fc_err, fc_err_name, fc_err_str (§4.16), also from codec code names', () => {
    const ctx = createSessionContext();
    assert.deepEqual(run('fc_err', ctx), { type: 'int', value: 0 });
    assert.equal(run('fc_err_name', ctx), undefined);
    ctx.errorCode = 'PRX_BAD_HDR';
    assert.deepEqual(run('fc_err', ctx), { type: 'int', value: 16 });
    assert.deepEqual(run('fc_err_name', ctx), { type: 'str', value: 'PRX_BAD_HDR' });
    assert.match(String(run('fc_err_str', ctx)?.value), /invalid PROXY protocol header/);
    ctx.errorCode = 'TIMEOUT';
    assert.deepEqual(run('fc_err', ctx), { type: 'int', value: 13 });
    assert.deepEqual(run('fc_err_name', ctx), { type: 'str', value: 'PRX_TIMEOUT' });
    ctx.errorCode = 'CRC_MISMATCH';
    assert.deepEqual(run('fc_err', ctx), { type: 'int', value: 16 });
    // A header over the cap is what the daemon logs as PRX_TRUNCATED; the fetch agrees (one table).
    ctx.errorCode = 'TOO_LARGE';
    assert.deepEqual(run('fc_err_name', ctx), { type: 'str', value: 'PRX_TRUNCATED' });
    assert.deepEqual(run('fc_err', ctx), { type: 'int', value: 14 });
  });
});
