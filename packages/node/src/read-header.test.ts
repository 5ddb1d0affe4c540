// readHeader() on real loopback sockets: every outcome, every split point, and the exact
// hand-back of the bytes after the header.
import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode } from '@truehop/proxy-protocol';
import { HeaderReader, readHeader } from './read-header.js';
import type { ReadHeaderOptions, ReadHeaderResult } from './read-header.js';

interface Outcome {
  result: ReadHeaderResult;
  /** Every byte the socket delivered after readHeader() finished (header and plain cases). */
  after: Buffer;
  listenersLeft: number;
}

let server: Server;
let port: number;
let nextOptions: ReadHeaderOptions;
const outcomes: ((outcome: Outcome) => void)[] = [];
const sockets = new Set<Socket>();

before(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const report = outcomes.shift();
    const countListeners = (): number => ['readable', 'end', 'error', 'close'].reduce((n, e) => n + socket.listenerCount(e), 0);
    const baseline = countListeners();
    readHeader(socket, nextOptions, (result) => {
      // readHeader's own listeners are all gone (net.Socket keeps its built-in ones)
      const listenersLeft = countListeners() - baseline;
      if (result.kind === 'reject') {
        socket.destroy();
        report?.({ result, after: Buffer.alloc(0), listenersLeft });
        return;
      }
      if (result.kind === 'header') {
        if (result.rest.length > 0) socket.unshift(result.rest);
      } else {
        for (let i = result.replay.length - 1; i >= 0; i--) socket.unshift(result.replay[i]);
      }
      // Attach the consumer later than the hand-back, like an application that awaits first.
      setTimeout(() => {
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('end', () => {
          socket.end();
          report?.({ result, after: Buffer.concat(chunks), listenersLeft });
        });
      }, 20);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const defaults: ReadHeaderOptions = { maxHeaderBytes: 16384, timeoutMs: 2000, allowPlain: false };

/** One connection: write `parts` with a pause between them, optionally FIN or reset, get the outcome. */
async function run(parts: (Uint8Array | string)[], options: Partial<ReadHeaderOptions> = {}, finish: 'end' | 'reset' | 'none' = 'end'): Promise<Outcome> {
  nextOptions = { ...defaults, ...options };
  const outcome = new Promise<Outcome>((resolve) => outcomes.push(resolve));
  const client = connect({ port, host: '127.0.0.1' });
  client.setNoDelay(true);
  client.on('error', () => {});
  client.resume();
  await new Promise<void>((resolve) => client.once('connect', resolve));
  for (const [i, part] of parts.entries()) {
    if (i > 0) await sleep(3);
    client.write(part);
  }
  if (finish === 'end') client.end();
  if (finish === 'reset') {
    await sleep(20);
    client.resetAndDestroy();
  }
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    outcome,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('no outcome within 4 s')), 4000); }),
  ]);
  clearTimeout(timer);
  client.destroy();
  return result;
}

const v1 = encode({ version: 1, src: '192.0.2.1', srcPort: 5555, dst: '198.51.100.2', dstPort: 443 });
const v2 = encode({ version: 2, src: '2001:db8::1', srcPort: 1234, dst: '2001:db8::2', dstPort: 80, tlvs: [{ type: 0x01, value: Buffer.from('h2') }] });

describe('readHeader', () => {
  it('reads a v1 header and hands back the bytes after it, in the same segment', async () => {
    const { result, after, listenersLeft } = await run([Buffer.concat([v1, Buffer.from('hello')])]);
    assert.equal(result.kind, 'header');
    assert.equal(result.kind === 'header' && result.header.src, '192.0.2.1');
    assert.equal(result.kind === 'header' && result.length, v1.length);
    assert.equal(after.toString(), 'hello');
    assert.equal(listenersLeft, 0);
  });

  it('reads v1 and v2 headers split at every byte offset, payload intact', async () => {
    for (const header of [v1, v2]) {
      const payload = Buffer.from('GET / HTTP/1.1\r\n\r\n');
      const whole = Buffer.concat([header, payload]);
      for (let cut = 1; cut < whole.length; cut++) {
        const { result, after } = await run([whole.subarray(0, cut), whole.subarray(cut)]);
        assert.equal(result.kind, 'header', `cut at ${cut}`);
        assert.equal(after.toString(), payload.toString(), `cut at ${cut}`);
      }
    }
  });

  it('hands back a large payload arriving in many segments, byte for byte', async () => {
    const payload = Buffer.alloc(300_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
    const parts: Buffer[] = [Buffer.concat([v2, payload.subarray(0, 1000)])];
    for (let off = 1000; off < payload.length; off += 50_000) parts.push(payload.subarray(off, off + 50_000));
    const { result, after } = await run(parts);
    assert.equal(result.kind, 'header');
    assert.ok(after.equals(payload));
  });

  it('allowPlain: a client that does not start with a header is given back untouched', async () => {
    const request = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    const { result, after } = await run([request], { allowPlain: true });
    assert.equal(result.kind, 'plain');
    assert.equal(after.toString(), request);
    // decided on the first bytes even when they come one at a time
    const slow = await run(['G', 'E', 'T /'], { allowPlain: true });
    assert.equal(slow.result.kind, 'plain');
    assert.equal(slow.after.toString(), 'GET /');
  });

  it('without allowPlain a non-header is NOT_HDR', async () => {
    const { result } = await run(['GET / HTTP/1.1\r\n\r\n']);
    assert.equal(result.kind === 'reject' && result.error.code, 'NOT_HDR');
  });

  it('a malformed header is refused with the codec code', async () => {
    const bad = await run(['PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n'], { allowPlain: true });
    assert.equal(bad.result.kind, 'reject');
    assert.equal(bad.result.kind === 'reject' && bad.result.error.code, 'BAD_PROTO');
  });

  it('a v2 header announcing more than maxHeaderBytes is TOO_LARGE before its body arrives', async () => {
    const big = Buffer.from(v2.subarray(0, 16));
    big.writeUInt16BE(0xffff, 14);
    const { result } = await run([big], {}, 'none');
    assert.equal(result.kind === 'reject' && result.error.code, 'TOO_LARGE');
  });

  it('EMPTY when the peer closes before any byte, TRUNCATED inside a header', async () => {
    const empty = await run([]);
    assert.equal(empty.result.kind === 'reject' && empty.result.error.code, 'EMPTY');
    const truncated = await run([v2.subarray(0, 20)]);
    assert.equal(truncated.result.kind === 'reject' && truncated.result.error.code, 'TRUNCATED');
  });

  it('ABORT when the peer resets mid-header', async () => {
    const { result, listenersLeft } = await run([v1.subarray(0, 10)], {}, 'reset');
    assert.equal(result.kind === 'reject' && result.error.code, 'ABORT');
    assert.equal(listenersLeft, 0);
  });

  it('TIMEOUT when the header does not complete in time', async () => {
    const start = Date.now();
    const { result } = await run([v1.subarray(0, 10)], { timeoutMs: 150 }, 'none');
    assert.equal(result.kind === 'reject' && result.error.code, 'TIMEOUT');
    assert.ok(Date.now() - start >= 140);
  });
});

describe('HeaderReader (chunks, no socket)', () => {
  const v2 = Buffer.from(encode({ version: 2, src: '192.0.2.1', srcPort: 1, dst: '192.0.2.2', dstPort: 2 }));

  it('answers undefined until the header is complete, then the header and a view of the rest', () => {
    const reader = new HeaderReader({ maxHeaderBytes: 256, allowPlain: false });
    const wire = Buffer.concat([v2, Buffer.from('after')]);
    for (let i = 0; i < v2.length - 1; i++) assert.equal(reader.push(wire.subarray(i, i + 1)), undefined);
    assert.equal(reader.bufferedBytes, v2.length - 1);
    const result = reader.push(wire.subarray(v2.length - 1));
    assert.equal(result?.kind, 'header');
    if (result?.kind !== 'header') return;
    assert.equal(result.header.src, '192.0.2.1');
    assert.equal(result.length, v2.length);
    assert.equal(result.rest.toString(), 'after');
    assert.equal(result.rest.buffer, wire.buffer); // a view, not a copy
  });

  it('a plain client gets every chunk back, by reference; without allowPlain it is NOT_HDR', () => {
    const plain = new HeaderReader({ maxHeaderBytes: 256, allowPlain: true });
    const first = Buffer.from('P');
    const second = Buffer.from('OST / HTTP/1.1\r\n');
    assert.equal(plain.push(first), undefined);
    const result = plain.push(second);
    assert.equal(result?.kind, 'plain');
    if (result?.kind === 'plain') assert.deepEqual(result.replay, [first, second]);
    const strict = new HeaderReader({ maxHeaderBytes: 256, allowPlain: false });
    const refused = strict.push(Buffer.from('GET /'));
    assert.equal(refused?.kind === 'reject' ? refused.error.code : refused?.kind, 'NOT_HDR');
  });

  it('end(): EMPTY before any byte, TRUNCATED inside a header; decoder errors are typed rejections', () => {
    assert.equal(new HeaderReader({ maxHeaderBytes: 256, allowPlain: false }).end().error.code, 'EMPTY');
    const partial = new HeaderReader({ maxHeaderBytes: 256, allowPlain: false });
    partial.push(v2.subarray(0, 5));
    assert.equal(partial.end().error.code, 'TRUNCATED');
    const small = new HeaderReader({ maxHeaderBytes: 16, allowPlain: false });
    const tooLarge = small.push(v2);
    assert.equal(tooLarge?.kind === 'reject' ? tooLarge.error.code : tooLarge?.kind, 'TOO_LARGE');
  });
});
