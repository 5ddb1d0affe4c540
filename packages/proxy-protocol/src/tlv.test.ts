// Typed TLV helpers (§3.2): find, read, build; the generic walk.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  alpnTlv, authorityTlv, crc32cTlv, decode, encode, findTlv, findTlvs, netnsTlv, noopTlv, readAlpn, readAuthority,
  readCrc32c, readNetns, readUniqueId, tlv, uniqueIdTlv, walkTlvs,
} from './index.js';

describe('TLV helpers', () => {
  const wire = encode(
    {
      version: 2, src: '192.0.2.1', srcPort: 1, dst: '192.0.2.2', dstPort: 2,
      tlvs: [alpnTlv('h2'), authorityTlv('bücher.example'), noopTlv(3), uniqueIdTlv(Uint8Array.of(0, 1, 2)), netnsTlv('blue'), tlv(0xe1, 'a'), tlv(0xe1, 'b')],
    },
    { crc32c: true },
  );
  const r = decode(wire);
  assert.ok(r.status === 'complete');
  const h = r.header;

  test('readers return the first occurrence, decoded', () => {
    assert.equal(readAlpn(h), 'h2');
    assert.equal(readAuthority(h), 'bücher.example');
    assert.deepEqual([...readUniqueId(h)!], [0, 1, 2]);
    assert.equal(readNetns(h), 'blue');
    assert.equal(readCrc32c(h), wire.readUInt32BE(wire.length - 4));
    assert.equal(Buffer.from(findTlv(h, 0xe1)!.value).toString(), 'a');
  });
  test('findTlvs returns every occurrence in order; absent types give undefined / []', () => {
    assert.deepEqual(findTlvs(h, 0xe1).map((t) => Buffer.from(t.value).toString()), ['a', 'b']);
    assert.equal(readAlpn({ tlvs: [] }), undefined);
    assert.equal(readCrc32c({ tlvs: [] }), undefined);
    assert.deepEqual(findTlvs({}, 1), []);
    assert.equal(findTlv({}, 1), undefined);
  });
  test('builders: types, NOOP padding size, CRC placeholder, size limits', () => {
    assert.deepEqual(noopTlv(5).value, Buffer.alloc(5));
    assert.equal(noopTlv().value.length, 0);
    assert.deepEqual(crc32cTlv(), { type: 3, value: Buffer.alloc(4) });
    assert.equal(uniqueIdTlv('x'.repeat(128)).value.length, 128);
    assert.throws(() => uniqueIdTlv(new Uint8Array(129)), { code: 'BAD_TLV' });
    assert.throws(() => tlv(0x100, ''), { code: 'BAD_TLV' });
    assert.throws(() => tlv(1, new Uint8Array(65536)), { code: 'TOO_LARGE' });
  });
  test('walkTlvs: generic walk with exact framing', () => {
    const bytes = Buffer.from('21000141220000', 'hex');
    assert.deepEqual(walkTlvs(bytes).map((t) => [t.type, Buffer.from(t.value).toString('hex')]), [[0x21, '41'], [0x22, '']]);
    assert.deepEqual(walkTlvs(bytes, 4).map((t) => t.type), [0x22]);
    assert.throws(() => walkTlvs(Buffer.from('210002', 'hex')), { code: 'BAD_TLV' });
    assert.throws(() => walkTlvs(Buffer.from('2100', 'hex')), { code: 'BAD_TLV' });
  });

  test('decoded TLV values: views of the input made on first read, the same object on every read', () => {
    const input = Buffer.from(wire);
    const decoded = decode(input);
    assert.ok(decoded.status === 'complete');
    const alpn = decoded.header.tlvs[0]!;
    const first = alpn.value;
    assert.ok(Buffer.isBuffer(first), 'a Buffer view for a Buffer input');
    assert.equal(first.buffer, input.buffer, 'a view, not a copy');
    assert.equal(alpn.value, first, 'the same view on every read');
    assert.equal(Buffer.from(first).toString(), 'h2');
    input[first.byteOffset - input.byteOffset] = 0x48; // 'h' → 'H' in the caller's bytes
    assert.equal(Buffer.from(alpn.value).toString(), 'H2', 'the view sees the input, like an eager view');
    // Serialised and inspected with its value; assignable like a plain { type, value }.
    assert.deepEqual(JSON.parse(JSON.stringify(alpn)), { type: 1, value: { type: 'Buffer', data: [0x48, 0x32] } });
    assert.match(inspect(alpn), /value: <Buffer 48 32>/);
    alpn.value = Buffer.from('h3');
    assert.equal(readAlpn(decoded.header), 'h3');
    // A Uint8Array input gives Uint8Array views, as before.
    const plain = decode(Uint8Array.from(wire));
    assert.ok(plain.status === 'complete');
    assert.ok(!Buffer.isBuffer(plain.header.tlvs[0]!.value) && plain.header.tlvs[0]!.value instanceof Uint8Array);
  });
});
