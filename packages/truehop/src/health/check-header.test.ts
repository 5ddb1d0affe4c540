import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '@truehop/proxy-protocol';
import type { ProxyV2Option } from '../model/config-model.js';
import { encodeCheckHeader } from './check-header.js';

const local = { address: '127.0.0.1', port: 59726, family: 'IPv4' as const };
const peer = { address: '127.0.0.1', port: 23106, family: 'IPv4' as const };
const SIG = '0d0a0d0a000d0a515549540a';

function v2(options: ProxyV2Option[], neverSendLocal = false, userTlvs: { type: number; value: Uint8Array }[] = []): string {
  return encodeCheckHeader({ version: 2, neverSendLocal, options: new Set(options), userTlvs, local, peer }).toString('hex');
}

test('v1: a real TCP4 line from the check connection addresses (§4.8 observed)', () => {
  const bytes = encodeCheckHeader({ version: 1, neverSendLocal: false, options: new Set(), userTlvs: [], local, peer });
  assert.equal(bytes.toString('latin1'), 'PROXY TCP4 127.0.0.1 127.0.0.1 59726 23106\r\n');
});

test('v1 over IPv6: TCP6', () => {
  const l6 = { address: '::1', port: 1000, family: 'IPv6' as const };
  const p6 = { address: '::1', port: 2000, family: 'IPv6' as const };
  const bytes = encodeCheckHeader({ version: 1, neverSendLocal: false, options: new Set(), userTlvs: [], local: l6, peer: p6 });
  assert.equal(bytes.toString('latin1'), 'PROXY TCP6 ::1 ::1 1000 2000\r\n');
});

test('v2: LOCAL with no TLVs (§4.8, HAProxy ≥ 2.2)', () => {
  assert.equal(v2([]), `${SIG}20000000`);
});

test('v2 + crc32c: the exact bytes HAProxy sends (§3.3)', () => {
  assert.equal(v2(['crc32c']), `${SIG}20000007030004a9b87e8f`);
});

test('v2 + crc32c + ssl options: CRC32C then an SSL TLV saying "no client TLS", as HAProxy 2.6 sends', () => {
  // Captured from HAProxy 2.6.12 with proxy-v2-options crc32c,authority,unique-id,ssl,cert-cn,ssl-cipher.
  assert.equal(v2(['crc32c', 'authority', 'unique-id', 'ssl', 'cert-cn', 'ssl-cipher']), `${SIG}2000000f030004889da1df2000050000000000`);
  assert.equal(v2(['ssl']), `${SIG}200000082000050000000000`);
});

test('v2: user TLVs come first, in order, then CRC32C; the CRC verifies', () => {
  const hex = v2(['crc32c'], false, [{ type: 0xe1, value: Buffer.from('chk') }]);
  assert.ok(hex.startsWith(`${SIG}2000000de10003${Buffer.from('chk').toString('hex')}030004`), hex);
  const decoded = decode(Buffer.from(hex, 'hex'));
  assert.equal(decoded.status, 'complete'); // decode() verifies the CRC32C (§3.3)
});

test('pp2-never-send-local: PROXY with the check connection addresses (§4.9)', () => {
  const hex = v2([], true);
  assert.equal(hex, `${SIG}2111000c7f0000017f000001e94e5a42`);
  const crc = decode(Buffer.from(v2(['crc32c'], true), 'hex'));
  assert.equal(crc.status, 'complete');
  if (crc.status === 'complete') {
    assert.equal(crc.header.command, 'PROXY');
    assert.equal(crc.header.src, '127.0.0.1');
    assert.equal(crc.header.srcPort, 59726);
    assert.equal(crc.header.dstPort, 23106);
  }
});
