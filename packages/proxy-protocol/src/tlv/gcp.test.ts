import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGcpPscConnectionId, gcpPscConnectionIdString, gcpPscConnectionIdTlv, readGcpPscConnectionId } from './gcp.js';
import { ProxyProtocolError } from '../errors.js';
import { decode, encode } from '../index.js';
import type { ProxyHeader, Tlv } from '../header.js';

function header(tlvs: Tlv[]): ProxyHeader {
  return { version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM', src: '10.0.60.2', srcPort: 33080, dst: '10.0.60.100', dstPort: 80, tlvs };
}
const tlv = (type: number, valueHex: string): Tlv => ({ type, value: Uint8Array.from(Buffer.from(valueHex, 'hex')) });
const isBadTlv = (error: unknown): boolean => error instanceof ProxyProtocolError && error.code === 'BAD_TLV';

describe('GCP 0xE0 PSC connection id', () => {
  it('reads the codelab example 009b34d70a003c64 as 43686719580552292', () => {
    const h = header([tlv(0xe0, '009b34d70a003c64')]);
    assert.equal(readGcpPscConnectionId(h), 43686719580552292n);
    assert.equal(gcpPscConnectionIdString(h), '43686719580552292');
  });

  it('is exact above 2^53 and up to 2^64 - 1', () => {
    assert.equal(gcpPscConnectionIdString(header([tlv(0xe0, 'ffffffffffffffff')])), '18446744073709551615');
    // 2^53 + 1 is where a float would round.
    assert.equal(gcpPscConnectionIdString(header([tlv(0xe0, '0020000000000001')])), '9007199254740993');
    assert.equal(decodeGcpPscConnectionId(Buffer.from('8000000000000000', 'hex')), 2n ** 63n);
    assert.equal(decodeGcpPscConnectionId(new Uint8Array(8)), 0n);
  });

  it('returns undefined without a 0xE0 TLV and reads only the first', () => {
    assert.equal(readGcpPscConnectionId(header([])), undefined);
    assert.equal(gcpPscConnectionIdString(header([tlv(0xea, '009b34d70a003c64')])), undefined);
    assert.equal(readGcpPscConnectionId(header([tlv(0xe0, '0000000000000001'), tlv(0xe0, '0000000000000002')])), 1n);
  });

  it('rejects any length but 8', () => {
    for (const valueHex of ['', '00', '009b34d70a003c', '009b34d70a003c6400']) {
      assert.throws(() => readGcpPscConnectionId(header([tlv(0xe0, valueHex)])), isBadTlv, valueHex);
      assert.throws(() => gcpPscConnectionIdString(header([tlv(0xe0, valueHex)])), isBadTlv, valueHex);
    }
  });

  it('builds from bigint or decimal string and round-trips', () => {
    assert.equal(Buffer.from(gcpPscConnectionIdTlv(43686719580552292n).value).toString('hex'), '009b34d70a003c64');
    assert.equal(Buffer.from(gcpPscConnectionIdTlv('43686719580552292').value).toString('hex'), '009b34d70a003c64');
    assert.equal(gcpPscConnectionIdTlv(1n).type, 0xe0);
    assert.ok(Buffer.isBuffer(gcpPscConnectionIdTlv(1n).value), 'builders return Buffers, like decoded values');
    for (const id of [0n, 1n, 2n ** 53n + 1n, 2n ** 64n - 1n, 43686719580552292n]) {
      assert.equal(readGcpPscConnectionId(header([gcpPscConnectionIdTlv(id)])), id);
      assert.equal(gcpPscConnectionIdString(header([gcpPscConnectionIdTlv(id.toString())])), id.toString());
    }
  });

  it('refuses ids outside uint64 and strings that are not plain decimal', () => {
    for (const id of [-1n, 2n ** 64n]) assert.throws(() => gcpPscConnectionIdTlv(id), isBadTlv, String(id));
    for (const id of ['', ' 1', '0x10', '1e3', '-1', '18446744073709551616', '123456789012345678901']) {
      assert.throws(() => gcpPscConnectionIdTlv(id), isBadTlv, id);
    }
  });
});

describe('GCP 0xE0 through the codec', () => {
  it("reads Google's codelab header and the v2_gcp_psc_connection_id vector", () => {
    const codelab = decode(Buffer.from('0d0a0d0a000d0a515549540a211100170a003c020a003c6481380050e00008009b34d70a003c64', 'hex'));
    assert.equal(codelab.status, 'complete');
    if (codelab.status !== 'complete') return;
    assert.equal(codelab.header.src, '10.0.60.2');
    assert.equal(codelab.header.srcPort, 33080);
    assert.equal(codelab.header.dst, '10.0.60.100');
    assert.equal(codelab.header.dstPort, 80);
    assert.equal(gcpPscConnectionIdString(codelab.header), '43686719580552292');
    const vector = decode(Buffer.from('0d0a0d0a000d0a515549540a21110017c0000201c6336407c82201bbe00008009b34d70a003c64', 'hex'));
    assert.equal(vector.status, 'complete');
    if (vector.status !== 'complete') return;
    assert.equal(readGcpPscConnectionId(vector.header), 43686719580552292n);
  });

  it('a built TLV round-trips encode → decode → readGcpPscConnectionId', () => {
    for (const id of [43686719580552292n, 2n ** 64n - 1n, 2n ** 53n + 1n]) {
      const bytes = encode({ version: 2, command: 'LOCAL', tlvs: [gcpPscConnectionIdTlv(id)] }, { crc32c: true });
      const result = decode(bytes);
      assert.equal(result.status, 'complete');
      if (result.status !== 'complete') return;
      assert.equal(readGcpPscConnectionId(result.header), id);
    }
  });
});
