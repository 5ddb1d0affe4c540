// The daemon's header phase is @truehop/node's HeaderReader with the daemon's settings: a
// header split over chunks gives the bytes after it back intact, a plain client is refused
// (accept-proxy never falls back), EOF is EMPTY or TRUNCATED, the codec's default cap holds,
// and the phase's timer fires with its owner unless stopped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeaderReader } from '@truehop/node';
import { DEFAULT_MAX_V2_HEADER_BYTES, encode } from '@truehop/proxy-protocol';
import { HeaderPhase } from './header-phase.js';

const noop = (): void => {};
const header = encode({ version: 2, src: '192.0.2.10', srcPort: 40001, dst: '198.51.100.7', dstPort: 443 });
const payload = Buffer.from('GET / HTTP/1.1\r\n\r\n');

function phase(): HeaderPhase {
  const p = HeaderPhase.start(0, noop, null);
  assert.ok(p instanceof HeaderReader);
  return p;
}

describe('HeaderPhase', () => {
  it('a header split at every offset: the header, and the bytes after it untouched', () => {
    const wire = Buffer.concat([header, payload]);
    for (let cut = 1; cut < wire.length; cut++) {
      const p = phase();
      const first = p.push(wire.subarray(0, cut));
      const result = first ?? p.push(wire.subarray(cut));
      assert.equal(result?.kind, 'header', `cut at ${cut}`);
      if (result?.kind !== 'header') continue;
      assert.equal(result.header.src, '192.0.2.10');
      assert.equal(result.header.srcPort, 40001);
      assert.equal(result.length, header.length);
      // The rest of the chunk that completed it, then the chunks not pushed yet: the payload.
      const notPushed = first === undefined ? Buffer.alloc(0) : wire.subarray(cut);
      assert.deepEqual(Buffer.concat([result.rest, notPushed]), payload, `cut at ${cut}`);
    }
  });

  it('a plain client is refused with NOT_HDR (accept-proxy never falls back to plain traffic)', () => {
    const result = phase().push(Buffer.from('GET / HTTP/1.1\r\n'));
    assert.equal(result?.kind, 'reject');
    assert.equal(result?.kind === 'reject' ? result.error.code : '', 'NOT_HDR');
  });

  it('EOF before any byte is EMPTY, inside the header TRUNCATED', () => {
    assert.equal(phase().end().error.code, 'EMPTY');
    const p = phase();
    assert.equal(p.push(header.subarray(0, 20)), undefined);
    assert.equal(p.end().error.code, 'TRUNCATED');
  });

  it("the codec's default cap: a v2 header announcing more is TOO_LARGE as soon as its length is read", () => {
    const big = Buffer.from(header.subarray(0, 16));
    big.writeUInt16BE(DEFAULT_MAX_V2_HEADER_BYTES - 16 + 1, 14);
    const result = phase().push(big);
    assert.equal(result?.kind === 'reject' ? result.error.code : result?.kind, 'TOO_LARGE');
  });

  it('the timer fires with its owner, and never once stopped', async () => {
    const fired: string[] = [];
    HeaderPhase.start(5, (owner: string) => fired.push(owner), 'late');
    HeaderPhase.start(5, (owner: string) => fired.push(owner), 'stopped').stopTimer();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(fired, ['late']);
  });
});
