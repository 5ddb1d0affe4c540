import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { azureLinkIdTlv, decodeAzureLinkId, readAzureLinkId } from './azure.js';
import { ProxyProtocolError } from '../errors.js';
import { decode, encode } from '../index.js';
import type { ProxyHeader, Tlv } from '../header.js';

function header(tlvs: Tlv[]): ProxyHeader {
  return { version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM', src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2, tlvs };
}
const tlv = (type: number, valueHex: string): Tlv => ({ type, value: Uint8Array.from(Buffer.from(valueHex, 'hex')) });
const isBadTlv = (error: unknown): boolean => error instanceof ProxyProtocolError && error.code === 'BAD_TLV';

describe('Azure 0xEE private endpoint LINKID', () => {
  it('reads the digest example 01 c1 45 00 21 as 553665985 (little-endian)', () => {
    assert.equal(readAzureLinkId(header([tlv(0xee, '01c1450021')])), 553665985);
    assert.equal(0x210045c1, 553665985);
  });

  it('reads the full uint32 range without sign errors', () => {
    assert.equal(decodeAzureLinkId(Uint8Array.of(1, 0xff, 0xff, 0xff, 0xff)), 0xffffffff);
    assert.equal(decodeAzureLinkId(Uint8Array.of(1, 0, 0, 0, 0x80)), 0x80000000);
    assert.equal(decodeAzureLinkId(Uint8Array.of(1, 0x0a, 0, 0, 0)), 10);
  });

  it('returns undefined without a 0xEE TLV or for other subtypes', () => {
    assert.equal(readAzureLinkId(header([])), undefined);
    assert.equal(readAzureLinkId(header([tlv(0xea, '01c1450021')])), undefined);
    assert.equal(readAzureLinkId(header([tlv(0xee, '02c1450021ffff')])), undefined);
    assert.equal(readAzureLinkId(header([tlv(0xee, '02'), tlv(0xee, '010a000000')])), 10);
  });

  it('rejects a LINKID value that is not exactly 5 bytes, and an empty value', () => {
    for (const valueHex of ['', '01', '01c14500', '01c145002100']) {
      assert.throws(() => readAzureLinkId(header([tlv(0xee, valueHex)])), isBadTlv, valueHex);
    }
  });

  it('builds little-endian and round-trips; refuses non-uint32', () => {
    assert.equal(Buffer.from(azureLinkIdTlv(553665985).value).toString('hex'), '01c1450021');
    assert.equal(azureLinkIdTlv(1).type, 0xee);
    assert.ok(Buffer.isBuffer(azureLinkIdTlv(1).value), 'builders return Buffers, like decoded values');
    for (const id of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 123456789]) {
      assert.equal(readAzureLinkId(header([azureLinkIdTlv(id)])), id);
    }
    for (const id of [-1, 2 ** 32, 1.5, Number.NaN]) assert.throws(() => azureLinkIdTlv(id), isBadTlv, String(id));
  });
});

describe('Azure 0xEE through the codec', () => {
  it('a built TLV round-trips encode → decode → readAzureLinkId', () => {
    for (const id of [553665985, 0xffffffff, 0]) {
      const bytes = encode({ version: 2, src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2, tlvs: [azureLinkIdTlv(id)] });
      assert.equal(bytes.subarray(28).toString('hex'), `ee0005${Buffer.from(azureLinkIdTlv(id).value).toString('hex')}`);
      const result = decode(bytes);
      assert.equal(result.status, 'complete');
      if (result.status !== 'complete') return;
      assert.equal(readAzureLinkId(result.header), id);
    }
  });

  it('a malformed 0xEE TLV passes decode (custom range) but the reader refuses it', () => {
    const bytes = encode({ version: 2, src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2, tlvs: [tlv(0xee, '01c14500')] });
    const result = decode(bytes);
    assert.equal(result.status, 'complete');
    if (result.status !== 'complete') return;
    assert.throws(() => readAzureLinkId(result.header), isBadTlv);
  });
});
