// §4.1, §4.10, §4.16: a bind with accept-proxy rejects junk, slow and oversized headers,
// logs each rejection with its code, counts it, and keeps serving other clients.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import { server, simple, stdoutLog } from '../../support/model.js';
import { Capture, closedWithin, connect, readAll, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { SIG } from '../../support/expected-header.js';

const HEADER_TIMEOUT_MS = 300;

describe('accept-proxy rejections', () => {
  let rec: RecordingServer;
  let daemon: RunningDaemon;
  let port: number;
  const logs = new Capture();

  before(async () => {
    // An echo server that also says who it is, so a good client can prove it got through.
    rec = await recordingServer((conn) => conn.socket.on('data', (c: Buffer) => conn.socket.write(c)));
    daemon = await startDaemon(
      simple([server('s1', rec.port)], {
        bind: { acceptProxy: true },
        frontend: { logs: [stdoutLog()], timeouts: { client: 10000, clientHs: HEADER_TIMEOUT_MS } },
      }),
      { stdout: logs },
    );
    port = daemon.listening.get('fe')?.[0]?.port as number;
  });

  // Optional chaining: when before() failed half-way, what it did start is still released.
  after(async () => {
    await daemon?.stop(100);
    await rec?.close();
  });

  async function goodClient(): Promise<void> {
    const c = await connect(port);
    c.write('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\nping');
    const got = await new Promise<Buffer>((resolve) => c.once('data', resolve));
    assert.equal(got.toString(), 'ping');
    c.destroy();
  }

  it('closes a connection that sends junk, logs PRX_NOT_HDR, and serves others', async () => {
    const before = daemon.rejections.get('PRX_NOT_HDR') ?? 0;
    const c = await connect(port);
    c.write('GET / HTTP/1.0\r\n\r\n');
    const data = await readAll(c);
    assert.equal(data.length, 0, 'nothing is answered to junk');
    assert.equal(daemon.rejections.get('PRX_NOT_HDR'), before + 1);
    await waitFor(() => logs.text.includes('[PRX_NOT_HDR]'), 2000, 'log line');
    assert.match(logs.text, /127\.0\.0\.1:\d+ \[\d\d\/\w{3}\/\d{4}:[\d:.]+\] fe\/1: Received something which does not look like a PROXY protocol header \[PRX_NOT_HDR\]/);
    await goodClient();
  });

  it('times out a slow header after timeout client-hs (PRX_TIMEOUT)', async () => {
    const c = await connect(port);
    c.write('PROXY TCP4 192.0.2.1 ');
    const t0 = Date.now();
    assert.equal(await closedWithin(c, 3000), true, 'closed by the daemon');
    assert.ok(Date.now() - t0 >= HEADER_TIMEOUT_MS - 50, 'not before the timeout');
    assert.ok((daemon.rejections.get('PRX_TIMEOUT') ?? 0) >= 1);
    await goodClient();
  });

  it('rejects a v1 line longer than 107 bytes and a v2 header above the cap (§1.2, §2.7)', async () => {
    const c1 = await connect(port);
    c1.write('PROXY UNKNOWN ' + 'a'.repeat(200) + '\r\n');
    assert.equal(await closedWithin(c1, 2000), true);
    const c2 = await connect(port);
    // len = 0xffff: 65551 bytes announced, above the 16 KiB default cap.
    c2.write(Buffer.concat([SIG, Buffer.from('2111ffff', 'hex'), Buffer.alloc(20000)]));
    assert.equal(await closedWithin(c2, 2000), true);
    await goodClient();
  });

  it('rejects bad headers with their codes and an early EOF as truncated', async () => {
    const before = daemon.counters.headerRejections;
    const bad = await connect(port);
    bad.write(Buffer.concat([SIG, Buffer.from('2211000cc0000201c6336407c82201bb', 'hex')]));
    assert.equal(await closedWithin(bad, 2000), true);
    const trunc = await connect(port);
    trunc.end('PROXY TCP4 192.0.2.1');
    assert.equal(await closedWithin(trunc, 2000), true);
    const empty = await connect(port);
    empty.end();
    assert.equal(await closedWithin(empty, 2000), true);
    await waitFor(() => daemon.counters.headerRejections >= before + 3, 2000, 'rejection counts');
    assert.ok((daemon.rejections.get('PRX_BAD_HDR') ?? 0) >= 1);
    assert.ok((daemon.rejections.get('PRX_TRUNCATED') ?? 0) >= 1);
    assert.ok((daemon.rejections.get('PRX_EMPTY') ?? 0) >= 1);
    await goodClient();
  });

  it('tolerates a header split into single bytes (fragmentation)', async () => {
    const c = await connect(port);
    const line = Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n');
    for (const b of line) {
      c.write(Buffer.from([b]));
      await new Promise((r) => setTimeout(r, 1));
    }
    c.write('frag');
    const got = await new Promise<Buffer>((resolve) => c.once('data', resolve));
    assert.equal(got.toString(), 'frag');
    c.destroy();
  });

  it('survives a flood of 200 half-open connections that never send a header', async () => {
    const idle = await Promise.all(Array.from({ length: 200 }, () => connect(port)));
    await goodClient();
    const closed = await Promise.all(idle.map((s) => closedWithin(s, 3000)));
    assert.ok(closed.every(Boolean), 'all idle connections are closed by the header timeout');
    await goodClient();
  });
});
