// Properties over real loopback connections (bounded runs): for any valid header, any payload
// and any segmentation, the application sees exactly the advertised addresses and exactly the
// payload; for any junk, the connection is refused and the server keeps serving.
import assert from 'node:assert/strict';
import { SocketAddress, createServer } from 'node:net';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { encode } from '@truehop/proxy-protocol';
import { acceptProxyProtocol, getStats } from '../src/index.js';
import { closeServer, exchange, listen } from './helpers/net.js';

let server: Server;
let port: number;

before(async () => {
  server = acceptProxyProtocol(createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      socket.end(JSON.stringify({
        remoteAddress: socket.remoteAddress, remotePort: socket.remotePort,
        localAddress: socket.localAddress, localPort: socket.localPort,
        data: Buffer.concat(chunks).toString('hex'),
      }));
    });
  }), { headerTimeoutMs: 2000 });
  port = await listen(server);
});

after(async () => {
  await closeServer(server);
});

/** Cuts `bytes` at the given fractions into consecutive non-empty parts. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const offsets = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)).filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const offset of offsets) {
    parts.push(bytes.subarray(from, offset));
    from = offset;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'));
// The decoder reports canonical text as libuv prints it; net.SocketAddress is that oracle
// (e.g. `0:0:0:0:0:ffff:102:304` → `::ffff:1.2.3.4`).
const ipv6 = fc.ipV6().map((address) => new SocketAddress({ address, family: 'ipv6' }).address);
const port16 = fc.integer({ min: 0, max: 65535 });

describe('properties on real sockets', () => {
  it('any valid header + payload + segmentation: the app sees the advertised ends and the exact payload', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1 as const, 2 as const),
        fc.boolean(),
        fc.tuple(ipv4, ipv4),
        fc.tuple(ipv6, ipv6),
        port16,
        port16,
        fc.array(fc.record({ type: fc.constantFrom(0x01, 0x02, 0x04, 0xe0 + 7), value: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 3 }),
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
        async (version, six, v4, v6, srcPort, dstPort, tlvs, payload, cuts) => {
          const [src, dst] = six ? v6 : v4;
          // AUTHORITY must be UTF-8 text for a strict receiver; keep the generated TLVs valid
          const cleanTlvs = tlvs.map((tlv) => (tlv.type === 0x02 ? { type: 0x02, value: Buffer.from('example.com') } : tlv));
          const header = encode({ version, src, srcPort, dst, dstPort, ...(version === 2 ? { tlvs: cleanTlvs } : {}) });
          const bytes = Buffer.concat([header, payload]);
          const { received } = await exchange(port, split(bytes, cuts), { end: true, deadlineMs: 3000 });
          const seen = JSON.parse(received.toString()) as Record<string, unknown>;
          assert.deepEqual(seen, {
            remoteAddress: src, remotePort: srcPort, localAddress: dst, localPort: dstPort,
            data: Buffer.from(payload).toString('hex'),
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any junk is refused without an answer, and the server keeps serving', async () => {
    const rejectedBefore = getStats(server)?.rejected ?? 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (junk) => {
        // a random buffer is never a complete valid header in practice; skip the one-in-a-billion case
        fc.pre(!(junk[0] === 0x50 && Buffer.from(junk).toString('latin1').startsWith('PROXY ')));
        runs++;
        const { received, closed } = await exchange(port, [junk], { end: true, deadlineMs: 3000 });
        assert.equal(closed, true);
        assert.equal(received.length, 0);
      }),
      { numRuns: 40 },
    );
    assert.equal((getStats(server)?.rejected ?? 0) - rejectedBefore, runs);
    const header = encode({ version: 2, src: '192.0.2.1', srcPort: 1, dst: '192.0.2.2', dstPort: 2 });
    const { received } = await exchange(port, [header, 'still here'], { end: true, gapMs: 5 });
    assert.equal((JSON.parse(received.toString()) as { remoteAddress: string }).remoteAddress, '192.0.2.1');
  });
});
