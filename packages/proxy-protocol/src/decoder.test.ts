// ProxyHeaderDecoder: fragmentation tolerance, exact consumption, bounded buffering, end().
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode, ProxyHeaderDecoder, ProxyProtocolError, tlv } from './index.js';

const V1 = Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n');
const PAYLOAD = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');

describe('ProxyHeaderDecoder', () => {
  test('header and payload in one chunk: rest is the payload, untouched (same memory)', () => {
    const chunk = Buffer.concat([V1, PAYLOAD]);
    const r = new ProxyHeaderDecoder().push(chunk);
    assert.equal(r.status, 'complete');
    if (r.status !== 'complete') return;
    assert.equal(r.length, V1.length);
    assert.deepEqual(r.rest, PAYLOAD);
    assert.equal(r.rest.buffer, chunk.buffer);
  });
  test('random fragmentation of header + payload, many seeds', () => {
    const header = encode({ version: 2, src: '2001:db8::1', srcPort: 1, dst: '::1', dstPort: 2, tlvs: [tlv(0xe1, 'x'.repeat(300))] }, { crc32c: true });
    const stream = Buffer.concat([header, PAYLOAD]);
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let round = 0; round < 200; round++) {
      const d = new ProxyHeaderDecoder();
      let pos = 0;
      let got: Buffer | null = null;
      while (pos < stream.length) {
        const n = 1 + Math.floor(rand() * 40);
        const r = d.push(stream.subarray(pos, pos + n));
        pos += n;
        if (r.status === 'complete') {
          assert.equal(r.length, header.length);
          assert.equal(r.header.src, '2001:db8::1');
          got = Buffer.concat([r.rest, stream.subarray(pos)]);
          break;
        }
        assert.equal(r.status, 'incomplete');
        assert.ok(d.bufferedBytes <= header.length);
      }
      assert.deepEqual(got, PAYLOAD, `round ${round}`);
    }
  });
  test('TLV values of a buffered header survive later pushes to other decoders (no shared reuse)', () => {
    const header = encode({ version: 2, command: 'LOCAL', tlvs: [tlv(0xe1, 'abc')] });
    const d = new ProxyHeaderDecoder();
    d.push(header.subarray(0, 5));
    const r = d.push(header.subarray(5));
    assert.ok(r.status === 'complete');
    const d2 = new ProxyHeaderDecoder();
    d2.push(Buffer.from('PROXY TCP4 9.9.9.9'));
    assert.equal(Buffer.from(r.header.tlvs[0]!.value).toString(), 'abc');
  });
  test('not-proxy as soon as the first byte decides, then push() throws', () => {
    const d = new ProxyHeaderDecoder();
    assert.deepEqual(d.push(Buffer.from('G')), { status: 'not-proxy' });
    assert.throws(() => d.push(Buffer.from('ET')), /after the header/);
    const d2 = new ProxyHeaderDecoder();
    assert.deepEqual(d2.push(Buffer.from('PRO')), { status: 'incomplete' });
    assert.deepEqual(d2.push(Buffer.from('XI')), { status: 'not-proxy' });
    assert.equal(d2.bufferedBytes, 0);
  });
  test('a malformed header throws from push; the decoder is then finished', () => {
    const d = new ProxyHeaderDecoder();
    d.push(Buffer.from('PROXY TCP4 1.2.3.4 '));
    assert.throws(() => d.push(Buffer.from('256.')), (e: unknown) => e instanceof ProxyProtocolError && e.code === 'BAD_HDR');
    assert.throws(() => d.push(Buffer.from('x')), /after the header/);
    assert.equal(d.bufferedBytes, 0);
  });
  test('buffering is bounded: v1 by 107 bytes, v2 by the cap on 16+len (refused from the len field)', () => {
    const d = new ProxyHeaderDecoder();
    d.push(Buffer.from('PROXY UNKNOWN '));
    for (let i = 0; i < 92; i++) assert.equal(d.push(Buffer.from('a')).status, 'incomplete');
    assert.equal(d.bufferedBytes, 106);
    assert.throws(() => d.push(Buffer.from('a'.repeat(1000))), { code: 'TOO_LARGE' });

    const v2 = new ProxyHeaderDecoder({ maxHeaderBytes: 1000 });
    const big = Buffer.from('0d0a0d0a000d0a515549540a211103e9', 'hex'); // len 1001
    for (let i = 0; i < 15; i++) v2.push(big.subarray(i, i + 1));
    assert.throws(() => v2.push(big.subarray(15)), { code: 'TOO_LARGE' });
  });
  test('end(): EMPTY when nothing came, TRUNCATED mid-header, silent after a decision', () => {
    assert.throws(() => new ProxyHeaderDecoder().end(), { code: 'EMPTY' });
    const e = new ProxyHeaderDecoder();
    e.push(new Uint8Array(0));
    assert.throws(() => e.end(), { code: 'EMPTY' });
    const t = new ProxyHeaderDecoder();
    t.push(V1.subarray(0, 10));
    assert.throws(() => t.end(), { code: 'TRUNCATED' });
    const c = new ProxyHeaderDecoder();
    c.push(V1);
    c.end();
    const n = new ProxyHeaderDecoder();
    n.push(Buffer.from('x'));
    n.end();
  });
  test('accepts plain Uint8Array chunks; rest is a Buffer', () => {
    const d = new ProxyHeaderDecoder();
    const chunk = new Uint8Array(Buffer.concat([V1, PAYLOAD]));
    d.push(chunk.subarray(0, 3));
    const r = d.push(chunk.subarray(3));
    assert.ok(r.status === 'complete');
    assert.ok(Buffer.isBuffer(r.rest));
    assert.deepEqual(r.rest, PAYLOAD);
  });
  test('options are validated once, in the constructor', () => {
    assert.throws(() => new ProxyHeaderDecoder({ maxHeaderBytes: 70000 }), RangeError);
  });
});

describe('detectVersion', () => {
  test('the first byte decides; full prefixes give the version', async () => {
    const { detectVersion } = await import('./index.js');
    assert.equal(detectVersion(new Uint8Array(0)), 'incomplete');
    assert.equal(detectVersion(Buffer.from('G')), 'not-proxy');
    assert.equal(detectVersion(Buffer.from('PROX')), 'incomplete');
    assert.equal(detectVersion(Buffer.from('PROXY ')), 1);
    assert.equal(detectVersion(Buffer.from('PROXYX')), 'not-proxy');
    const sig = Buffer.from('0d0a0d0a000d0a515549540a21', 'hex');
    assert.equal(detectVersion(sig.subarray(0, 12)), 'incomplete');
    assert.equal(detectVersion(sig), 2);
    assert.equal(detectVersion(Buffer.from('0d0a0d0a000d0a515549540a11', 'hex')), 'not-proxy');
    assert.equal(detectVersion(Buffer.from('0d0a0d0a00', 'hex')), 'incomplete');
    assert.equal(detectVersion(Buffer.from('0d0a0d0a01', 'hex')), 'not-proxy');
  });
});
