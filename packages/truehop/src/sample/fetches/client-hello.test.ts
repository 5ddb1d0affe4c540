// The ClientHello reader on real hellos (Node's TLS client, with and without SNI), split at
// every byte offset, fragmented over several records, and on junk: never a throw, and
// `incomplete` only while a prefix of a real hello.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { handshakeType, readClientHello, serverNameOf, MAX_CLIENT_HELLO_BYTES } from './client-hello.js';

/** The first bytes a Node TLS client sends (its ClientHello), captured by a plain server. */
async function captureHello(servername?: string): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no ClientHello')), 5000);
      server.once('connection', (s) => {
        let got = Buffer.alloc(0);
        s.on('data', (d: Buffer) => {
          got = Buffer.concat([got, d]);
          if (got.length >= 5 && got.length >= 5 + got.readUInt16BE(3)) {
            clearTimeout(timer);
            s.destroy();
            resolve(got);
          }
        });
      });
      const c = tls.connect({ host: '127.0.0.1', port, ...(servername === undefined ? {} : { servername }) });
      c.on('error', () => {});
    });
  } finally {
    server.close();
  }
}

/** The same handshake bytes, cut into records of at most `size` body bytes. */
function refragment(hello: Buffer, size: number): Buffer {
  const body = hello.subarray(5);
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const part = body.subarray(i, i + size);
    const head = Buffer.from([0x16, 3, 1, 0, 0]);
    head.writeUInt16BE(part.length, 3);
    out.push(head, part);
  }
  return Buffer.concat(out);
}

/** The SNI, or the reader's status word ('incomplete', 'invalid') when there is no hello. */
function sni(data: Buffer): string | undefined {
  const r = readClientHello(data);
  return r.status === 'complete' ? serverNameOf(r.hello) : r.status;
}

describe('ClientHello reader', () => {
  it('reads the SNI and the type of a real hello; none without SNI', async () => {
    const hello = await captureHello('b.example.com');
    assert.equal(sni(hello), 'b.example.com');
    assert.equal(handshakeType(hello), 1);
    const r = readClientHello(hello);
    assert.equal(r.status === 'complete' && r.hello.clientVersion, 0x0303);
    assert.equal(sni(await captureHello()), undefined);
  });

  it('is incomplete at every prefix, then complete (a hello split over reads)', async () => {
    const hello = await captureHello('split.example.com');
    for (let n = 0; n < hello.length; n++) assert.equal(sni(hello.subarray(0, n)), 'incomplete', `prefix ${n}`);
    assert.equal(sni(hello), 'split.example.com');
  });

  it('reassembles a hello fragmented over several records, at every prefix', async () => {
    const hello = await captureHello('frag.example.com');
    for (const size of [1, 7, 100]) {
      const frag = refragment(hello, size);
      assert.equal(sni(frag), 'frag.example.com', `records of ${size}`);
      for (let n = 0; n < frag.length; n += 13) assert.equal(sni(frag.subarray(0, n)), 'incomplete');
    }
  });

  it('refuses junk at once and never throws on random or mutated bytes', async () => {
    assert.equal(sni(Buffer.from('GET / HTTP/1.1\r\n')), 'invalid');
    assert.equal(sni(Buffer.from('G')), 'invalid');
    assert.equal(handshakeType(Buffer.from('SSH-2.0-x\r\n')), 'invalid');
    assert.equal(sni(Buffer.from([0x16, 2])), 'invalid', 'SSL 2 record version');
    // A handshake length beyond the bound: refused, not awaited.
    const huge = Buffer.from([0x16, 3, 1, 0x40, 0, 1, 0, 0, 0]);
    huge.writeUIntBE(MAX_CLIENT_HELLO_BYTES + 1, 6, 3);
    assert.equal(sni(huge), 'invalid');
    const hello = await captureHello('mutate.example.com');
    let seed = 1;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
    for (let i = 0; i < 3000; i++) {
      const m = Buffer.from(hello);
      for (let k = 0; k < 3; k++) m[rand() * m.length >> 8] = rand();
      assert.doesNotThrow(() => { sni(m); handshakeType(m); });
      const junk = Buffer.from(Array.from({ length: rand() }, rand));
      assert.doesNotThrow(() => sni(junk));
    }
  });
});
