import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { awsVpceIdTlv, decodeAwsVpceId, readAwsVpceId } from './aws.js';
import { ProxyProtocolError } from '../errors.js';
import { decode, encode } from '../index.js';
import type { ProxyHeader, Tlv } from '../header.js';

function header(tlvs: Tlv[]): ProxyHeader {
  return { version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM', src: '10.0.0.1', srcPort: 1, dst: '10.0.0.2', dstPort: 2, tlvs };
}
const tlv = (type: number, valueHex: string): Tlv => ({ type, value: Uint8Array.from(Buffer.from(valueHex, 'hex')) });
const isBadTlv = (error: unknown): boolean => error instanceof ProxyProtocolError && error.code === 'BAD_TLV';
// Vector v2_aws_vpce_id: 0xEA value = 01 + "vpce-08d2bf15fac5001c9".
const VPCE = 'vpce-08d2bf15fac5001c9';
const VPCE_VALUE_HEX = `01${Buffer.from(VPCE).toString('hex')}`;

describe('AWS 0xEA VPC endpoint id', () => {
  it('reads the id from the vector value', () => {
    assert.equal(readAwsVpceId(header([tlv(0xea, VPCE_VALUE_HEX)])), VPCE);
  });

  it('returns undefined when there is no 0xEA TLV or only other subtypes', () => {
    assert.equal(readAwsVpceId(header([])), undefined);
    assert.equal(readAwsVpceId(header([tlv(0xee, VPCE_VALUE_HEX)])), undefined);
    assert.equal(readAwsVpceId(header([tlv(0xea, '02abcdef')])), undefined);
    assert.equal(decodeAwsVpceId(Uint8Array.of(0x03)), undefined);
  });

  it('skips other subtypes to find subtype 0x01, and takes the first 0x01', () => {
    const id = readAwsVpceId(header([tlv(0xea, '02ff00'), tlv(0xea, VPCE_VALUE_HEX), tlv(0xea, `01${Buffer.from('vpce-2').toString('hex')}`)]));
    assert.equal(id, VPCE);
  });

  it('rejects a missing subtype byte, an empty id and bytes outside [A-Za-z0-9-]', () => {
    for (const valueHex of ['', '01', '0176706365200a', '01767063650d0a', '0176706365c3a9', '017670636500']) {
      assert.throws(() => readAwsVpceId(header([tlv(0xea, valueHex)])), isBadTlv, valueHex);
    }
  });

  it('never hands back a stale id when the caller reuses its buffer (memo of the last id)', () => {
    const value = Uint8Array.from(Buffer.from(VPCE_VALUE_HEX, 'hex'));
    assert.equal(decodeAwsVpceId(value), VPCE);
    assert.equal(decodeAwsVpceId(value), VPCE);
    value[value.length - 1] = 0x38; // same length, last char '9' → '8', bytes changed in place
    assert.equal(decodeAwsVpceId(value), 'vpce-08d2bf15fac5001c8');
    value[value.length - 1] = 0x0a; // now invalid: must throw, not return the memo
    assert.throws(() => decodeAwsVpceId(value), isBadTlv);
    const other = awsVpceIdTlv('vpce-0123456789abcdef0');
    assert.equal(decodeAwsVpceId(other.value), 'vpce-0123456789abcdef0');
    assert.equal(decodeAwsVpceId(Uint8Array.from(Buffer.from(VPCE_VALUE_HEX, 'hex'))), VPCE);
  });

  it('builds a TLV that reads back, and refuses ids a reader would reject', () => {
    const built = awsVpceIdTlv(VPCE);
    assert.equal(built.type, 0xea);
    assert.ok(Buffer.isBuffer(built.value), 'builders return Buffers, like decoded values');
    assert.equal(Buffer.from(built.value).toString('hex'), VPCE_VALUE_HEX);
    assert.equal(readAwsVpceId(header([built])), VPCE);
    for (const id of ['', 'vpce 1', 'vpce\r\n', 'vpcé']) assert.throws(() => awsVpceIdTlv(id), isBadTlv, id);
    assert.throws(() => awsVpceIdTlv('a'.repeat(65535)), (e: unknown) => e instanceof ProxyProtocolError && e.code === 'TOO_LARGE');
    assert.equal(awsVpceIdTlv('a'.repeat(65534)).value.length, 65535);
  });
});

describe('AWS 0xEA through the codec', () => {
  it('reads the VPCE id of the whole v2_aws_vpce_id vector', () => {
    const result = decode(Buffer.from('0d0a0d0a000d0a515549540a21110026c0000201c6336407c82201bbea001701767063652d3038643262663135666163353030316339', 'hex'));
    assert.equal(result.status, 'complete');
    if (result.status !== 'complete') return;
    assert.equal(result.header.src, '192.0.2.1');
    assert.equal(readAwsVpceId(result.header), VPCE);
  });

  it('a built TLV round-trips encode → decode → readAwsVpceId, among other TLVs', () => {
    const bytes = encode({
      version: 2, src: '2001:db8::1', srcPort: 1, dst: '2001:db8::2', dstPort: 2,
      tlvs: [tlv(0xea, '02ffff'), awsVpceIdTlv('vpce-0123456789abcdef0'), tlv(0x04, '')],
    }, { crc32c: true });
    const result = decode(bytes);
    assert.equal(result.status, 'complete');
    if (result.status !== 'complete') return;
    assert.equal(readAwsVpceId(result.header), 'vpce-0123456789abcdef0');
  });
});
