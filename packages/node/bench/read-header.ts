// `node packages/node/dist/bench/read-header.js`: what reading one PROXY header costs a
// connection, layer by layer, so a caller (the daemon's session) can judge sharing it.
//
// - decoder: new ProxyHeaderDecoder + push(header + request) — the codec alone, the floor;
// - HeaderReader: the chunk-level reader (read-header.ts) over the same bytes;
// - readHeader(socket): the socket-level reader on a net.Socket without a handle (no kernel,
//   no event loop turn for I/O: the bytes are pushed into the stream), minus the same socket
//   read by a bare 'readable' + read() loop — i.e. what the listeners, the timer and the
//   hand-back cost beyond reading the bytes at all.
// Medians over rounds; the load average is printed (the machine is shared).
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { Socket } from 'node:net';
import { loadavg } from 'node:os';
import { ProxyHeaderDecoder, encode } from '@truehop/proxy-protocol';
import { HeaderReader, readHeader } from '../src/read-header.js';
import type { ReadHeaderOptions } from '../src/read-header.js';

const ROUNDS = 15;
const SYNC_OPS = 200_000;
const SOCKET_OPS = 2_000;
const WIRE = Buffer.concat([
  encode({ version: 2, src: '192.0.2.1', srcPort: 5555, dst: '198.51.100.2', dstPort: 443 }),
  Buffer.from('GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n'),
]);
const OPTIONS: ReadHeaderOptions = { maxHeaderBytes: 16_384, timeoutMs: 5000, allowPlain: false };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function perOpSync(fn: () => unknown): number {
  const samples: number[] = [];
  let sink: unknown;
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < SYNC_OPS; i++) sink = fn();
    samples.push(Number(process.hrtime.bigint() - start) / SYNC_OPS);
  }
  if (sink === null) console.log(''); // keep the result alive
  return median(samples);
}

/** ns per socket for `attach(socket, done)` then pushing the bytes, until every `done` ran. */
async function perOpSocket(attach: (socket: Socket, done: () => void) => void): Promise<number> {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sockets: Socket[] = [];
    for (let i = 0; i < SOCKET_OPS; i++) sockets.push(new Socket());
    let left = SOCKET_OPS;
    let resolve!: () => void;
    const finished = new Promise<void>((r) => { resolve = r; });
    const done = (): void => {
      if (--left === 0) resolve();
    };
    const start = process.hrtime.bigint();
    for (const socket of sockets) {
      attach(socket, done);
      socket.push(WIRE);
    }
    await finished;
    samples.push(Number(process.hrtime.bigint() - start) / SOCKET_OPS);
    for (const socket of sockets) socket.destroy();
  }
  return median(samples);
}

const decoder = perOpSync(() => new ProxyHeaderDecoder({ maxHeaderBytes: 16_384 }).push(WIRE));
const reader = perOpSync(() => new HeaderReader(OPTIONS).push(WIRE));
// Each socket case runs once to warm up (JIT, pools), then is measured.
const warm = async (attach: (socket: Socket, done: () => void) => void): Promise<number> => {
  await perOpSocket(attach);
  return perOpSocket(attach);
};
const bare = await warm((socket, done) => {
  const onReadable = (): void => {
    // One read(), like readHeader when the header and request come in one segment.
    socket.read();
    socket.removeListener('readable', onReadable);
    done();
  };
  socket.on('readable', onReadable);
});
const socketLevel = await warm((socket, done) => readHeader(socket, OPTIONS, done));
const NO_TIMER: ReadHeaderOptions = { ...OPTIONS, timeoutMs: 0 };
const socketNoTimer = await warm((socket, done) => readHeader(socket, NO_TIMER, done));

console.log(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`decoder only                       ${decoder.toFixed(0)} ns`);
console.log(`HeaderReader (chunks)              ${reader.toFixed(0)} ns  (+${(reader - decoder).toFixed(0)} ns over the decoder)`);
console.log(`socket read by a bare 'readable'   ${bare.toFixed(0)} ns`);
console.log(`readHeader(socket)                 ${socketLevel.toFixed(0)} ns  (+${(socketLevel - bare).toFixed(0)} ns over the bare read)`);
console.log(`readHeader(socket), timeoutMs 0    ${socketNoTimer.toFixed(0)} ns  (+${(socketNoTimer - bare).toFixed(0)} ns over the bare read)`);
