import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSsl, readSsl, sslTlv } from './ssl.js';
import { ProxyProtocolError } from '../errors.js';
import { decode, encode } from '../index.js';
import type { ProxyHeader, Tlv } from '../header.js';

// Vector v2_tcp4_ssl_full (test/fixtures/vectors.json): the SSL TLV's value and its expected decoding.
const VECTOR_SSL_VALUE_HEX =
  '0700000000210007544c5376312e33220012636c69656e742e6578616d706c652e636f6d230016544c535f4145535f3132385f47434d5f53484132353624000a5253412d53484132353625000752534132303438';

function header(tlvs: Tlv[]): ProxyHeader {
  return {
    version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM',
    src: '192.0.2.1', srcPort: 51234, dst: '198.51.100.7', dstPort: 443, tlvs,
  };
}
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const isBadTlv = (error: unknown): boolean => error instanceof ProxyProtocolError && error.code === 'BAD_TLV';

describe('PP2_TYPE_SSL reader', () => {
  it('decodes the v2_tcp4_ssl_full vector', () => {
    const ssl = readSsl(header([{ type: 0x20, value: hex(VECTOR_SSL_VALUE_HEX) }]));
    assert.ok(ssl);
    assert.equal(ssl.client, 7);
    assert.equal(ssl.verify, 0);
    assert.equal(ssl.clientSsl, true);
    assert.equal(ssl.certInConnection, true);
    assert.equal(ssl.certInSession, true);
    assert.equal(ssl.certVerified, true);
    assert.equal(ssl.version, 'TLSv1.3');
    assert.equal(ssl.cn, 'client.example.com');
    assert.equal(ssl.cipher, 'TLS_AES_128_GCM_SHA256');
    assert.equal(ssl.sigAlg, 'RSA-SHA256');
    assert.equal(ssl.keyAlg, 'RSA2048');
    assert.equal(ssl.group, undefined);
    assert.equal(ssl.clientCert, undefined);
    assert.deepEqual(ssl.subTlvs.map((s) => s.type), [0x21, 0x22, 0x23, 0x24, 0x25]);
  });

  it('returns undefined without an SSL TLV and reads only the first one', () => {
    assert.equal(readSsl(header([])), undefined);
    assert.equal(readSsl(header([{ type: 0x21, value: hex('0100000000') }])), undefined, '0x21 at top level is not SSL');
    const ssl = readSsl(header([
      { type: 0x20, value: hex('0100000005') },
      { type: 0x20, value: hex('07000000ff') }, // second one is malformed-free but must be ignored
    ]));
    assert.equal(ssl?.client, 1);
    assert.equal(ssl?.verify, 5);
  });

  it('verify == 0 without a certificate bit is not a verified certificate (§3.4)', () => {
    // What HAProxy sends for a TLS client that presented no certificate: client = SSL, verify = 0.
    const ssl = decodeSsl(hex('0100000000'));
    assert.equal(ssl.verify, 0);
    assert.equal(ssl.clientSsl, true);
    assert.equal(ssl.certInConnection, false);
    assert.equal(ssl.certInSession, false);
    assert.equal(ssl.certVerified, false);
    // Certificate presented but verification failed (X509_V_ERR 10 = expired).
    const failed = decodeSsl(hex('030000000a'));
    assert.equal(failed.certInConnection, true);
    assert.equal(failed.certVerified, false);
    // Session-resumed certificate only.
    assert.equal(decodeSsl(hex('0500000000')).certVerified, true);
  });

  it('reads verify as an unsigned 32-bit big-endian value', () => {
    assert.equal(decodeSsl(hex('00ffffffff')).verify, 0xffffffff);
    assert.equal(decodeSsl(hex('0001020304')).verify, 0x01020304);
  });

  it('decodes from a view at a non-zero offset', () => {
    const backing = hex(`aabbcc${VECTOR_SSL_VALUE_HEX}dd`);
    const view = backing.subarray(3, backing.length - 1);
    assert.equal(decodeSsl(view).cn, 'client.example.com');
  });

  it('keeps unknown sub-TLV types and exposes group, sig scheme and client cert', () => {
    const value = hex('01000000002600097365637032353672312700037273612800030102039900021234');
    const ssl = decodeSsl(value);
    assert.equal(ssl.group, 'secp256r1');
    assert.equal(ssl.sigScheme, 'rsa');
    assert.deepEqual(ssl.clientCert, hex('010203'));
    assert.deepEqual(ssl.subTlvs.map((s) => s.type), [0x26, 0x27, 0x28, 0x99]);
    assert.deepEqual(ssl.subTlvs[3]?.value, hex('1234'));
  });

  it('rejects malformed values with BAD_TLV', () => {
    const bad = {
      empty: '',
      'four bytes': '01000000',
      'one stray byte after fixed part': '010000000021',
      'two stray bytes': '01000000002100',
      'sub-TLV overruns value': '010000000021000554',
      'sub-TLV overruns by one': '0100000000210003544c',
      'stray byte after a good sub-TLV': '0100000000210001410a',
      'CR in version': '0100000000210002410d',
      'non-ASCII in cipher': '010000000023000241c3',
      'NUL in CN': '01000000002200024100',
      'invalid UTF-8 in CN': '010000000022000241ff',
      'duplicate CN': '01000000002200014122000142',
      'duplicate client cert': '0100000000280001002800010a',
    };
    for (const [name, valueHex] of Object.entries(bad)) {
      assert.throws(() => decodeSsl(hex(valueHex)), isBadTlv, name);
    }
    assert.throws(() => readSsl(header([{ type: 0x20, value: hex('0100') }])), isBadTlv);
  });

  it('accepts a UTF-8 CN', () => {
    const tlv = sslTlv({ clientSsl: true, certInConnection: true, cn: 'Zoë Straße' });
    assert.equal(decodeSsl(tlv.value).cn, 'Zoë Straße');
  });
});

describe('PP2_TYPE_SSL builder', () => {
  it('rebuilds the v2_tcp4_ssl_full value byte for byte', () => {
    const tlv = sslTlv({
      clientSsl: true, certInConnection: true, certInSession: true, verify: 0,
      version: 'TLSv1.3', cn: 'client.example.com', cipher: 'TLS_AES_128_GCM_SHA256', sigAlg: 'RSA-SHA256', keyAlg: 'RSA2048',
    });
    assert.equal(tlv.type, 0x20);
    assert.equal(Buffer.from(tlv.value).toString('hex'), VECTOR_SSL_VALUE_HEX);
  });

  it('builds the 5-byte form HAProxy sends for a non-TLS client', () => {
    const value = sslTlv({}).value;
    assert.ok(Buffer.isBuffer(value), 'builders return Buffers, like decoded values');
    assert.equal(Buffer.from(value).toString('hex'), '0000000000');
  });

  it('round-trips every field through the reader', () => {
    const cert = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const input = {
      client: 0x04, clientSsl: true, verify: 0xdeadbeef, version: 'TLSv1.2', cn: 'a', cipher: 'AES', sigAlg: 'ECDSA-SHA384',
      keyAlg: 'EC256', group: 'x25519', sigScheme: 'ecdsa_secp256r1_sha256', clientCert: cert,
      subTlvs: [{ type: 0x30, value: hex('00') }],
    };
    const ssl = decodeSsl(sslTlv(input).value);
    assert.equal(ssl.client, 0x05);
    assert.equal(ssl.verify, 0xdeadbeef);
    assert.equal(ssl.certVerified, false);
    for (const key of ['version', 'cn', 'cipher', 'sigAlg', 'keyAlg', 'group', 'sigScheme'] as const) {
      assert.equal(ssl[key], input[key], key);
    }
    assert.equal(Buffer.from(ssl.clientCert ?? []).toString('hex'), Buffer.from(cert).toString('hex'));
    assert.deepEqual(ssl.subTlvs.map((s) => s.type), [0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x30]);
  });

  it('refuses to build what a strict reader rejects', () => {
    assert.throws(() => sslTlv({ client: 256 }), isBadTlv);
    assert.throws(() => sslTlv({ verify: -1 }), isBadTlv);
    assert.throws(() => sslTlv({ verify: 2 ** 32 }), isBadTlv);
    assert.throws(() => sslTlv({ version: 'TLS\r\n1.3' }), isBadTlv);
    assert.throws(() => sslTlv({ cipher: 'é' }), isBadTlv);
    assert.throws(() => sslTlv({ cn: 'a', subTlvs: [{ type: 0x22, value: hex('41') }] }), isBadTlv);
    assert.throws(() => sslTlv({ subTlvs: [{ type: 256, value: hex('') }] }), isBadTlv);
    assert.throws(
      () => sslTlv({ clientCert: new Uint8Array(65535) }),
      (error: unknown) => error instanceof ProxyProtocolError && error.code === 'TOO_LARGE',
    );
  });
});

describe('PP2_TYPE_SSL through the codec', () => {
  const VECTOR_HEX =
    '0d0a0d0a000d0a515549540a21110063c0000201c6336407c82201bb2000540700000000210007544c5376312e33220012636c69656e742e6578616d706c652e636f6d230016544c535f4145535f3132385f47434d5f53484132353624000a5253412d53484132353625000752534132303438';

  it('reads the SSL struct of the whole v2_tcp4_ssl_full header', () => {
    const result = decode(hex(VECTOR_HEX));
    assert.equal(result.status, 'complete');
    if (result.status !== 'complete') return;
    assert.equal(result.length, 115);
    const ssl = readSsl(result.header);
    assert.equal(ssl?.client, 7);
    assert.equal(ssl?.verify, 0);
    assert.deepEqual(
      ssl?.subTlvs.map((sub) => [sub.type, Buffer.from(sub.value).toString('latin1')]),
      [[0x21, 'TLSv1.3'], [0x22, 'client.example.com'], [0x23, 'TLS_AES_128_GCM_SHA256'], [0x24, 'RSA-SHA256'], [0x25, 'RSA2048']],
    );
  });

  it('a built SSL TLV round-trips encode → decode → readSsl, with CRC32C', () => {
    const tlv = sslTlv({ clientSsl: true, certInConnection: true, verify: 0, version: 'TLSv1.3', cn: 'Zoë', group: 'x25519', clientCert: hex('3082') });
    const bytes = encode({ version: 2, src: '192.0.2.1', srcPort: 51234, dst: '198.51.100.7', dstPort: 443, tlvs: [tlv] }, { crc32c: true });
    const result = decode(bytes);
    assert.equal(result.status, 'complete');
    if (result.status !== 'complete') return;
    const ssl = readSsl(result.header);
    assert.equal(ssl?.certVerified, true);
    assert.equal(ssl?.version, 'TLSv1.3');
    assert.equal(ssl?.cn, 'Zoë');
    assert.equal(ssl?.group, 'x25519');
    assert.equal(Buffer.from(ssl?.clientCert ?? []).toString('hex'), '3082');
  });
});
