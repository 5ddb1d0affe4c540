// What a health check puts on the wire, recorded byte for byte by real loopback servers
// (§4.8, §4.9, §2.8, §3.3): send-proxy, send-proxy-v2 (LOCAL), + crc32c, pp2-never-send-local,
// check-send-proxy with a check port, no-check-send-proxy, user TLVs, httpchk and tcp-check.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from '@truehop/proxy-protocol';
import { createHealthMonitor } from '../../../src/health/monitor.js';
import type { HealthMonitor } from '../../../src/health/monitor.js';
import type { CompiledLogFormat } from '../../../src/sample/compiled.js';
import type { TruehopModel } from '../../../src/model/config-model.js';
import { model, RecordingServer, server, SIG_HEX } from './fixtures.js';
import { waitFor } from '../../support/peers.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function recorder(...args: ConstructorParameters<typeof RecordingServer>): Promise<RecordingServer> {
  const rec = await new RecordingServer(...args).listen();
  cleanups.push(() => rec.close());
  return rec;
}

/** Runs the monitor until `rec` has recorded `count` finished connections, then stops it. */
async function capture(m: TruehopModel, rec: RecordingServer, count = 2): Promise<HealthMonitor> {
  const logs: string[] = [];
  const monitor = createHealthMonitor(m, { log: (line) => logs.push(line) });
  monitor.start();
  try {
    await waitFor(() => rec.connections.filter((c) => c.closed).length >= count, 3000, `${count} checks on port ${rec.port}`);
  } finally {
    await monitor.stop();
  }
  return monitor;
}

test('send-proxy: v1 line from the check connection own addresses, every check', async () => {
  const rec = await recorder();
  await capture(model([server('s1', rec.port, { sendProxy: 'v1' })]), rec);
  for (const c of rec.connections.filter((x) => x.closed)) {
    assert.equal(c.bytes.toString('latin1'), `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.remotePort} ${rec.port}\r\n`);
  }
});

test('send-proxy-v2: LOCAL, nothing else', async () => {
  const rec = await recorder();
  await capture(model([server('s1', rec.port, { sendProxy: 'v2' })]), rec);
  for (const c of rec.connections.filter((x) => x.closed)) assert.equal(c.bytes.toString('hex'), `${SIG_HEX}20000000`);
});

test('send-proxy-v2 + proxy-v2-options crc32c: LOCAL + CRC32C, the bytes HAProxy sends', async () => {
  const rec = await recorder();
  await capture(model([server('s1', rec.port, { sendProxy: 'v2', proxyV2Options: new Set(['crc32c']) })]), rec);
  for (const c of rec.connections.filter((x) => x.closed)) {
    assert.equal(c.bytes.toString('hex'), `${SIG_HEX}20000007030004a9b87e8f`);
  }
});

test('pp2-never-send-local: PROXY with the check addresses, CRC32C valid', async () => {
  const rec = await recorder();
  const m = model([server('s1', rec.port, { sendProxy: 'v2', proxyV2Options: new Set(['crc32c']) })], {
    global: { pp2NeverSendLocal: true },
  });
  await capture(m, rec);
  for (const c of rec.connections.filter((x) => x.closed)) {
    const result = decode(c.bytes); // verifies the CRC32C (§3.3)
    assert.equal(result.status, 'complete');
    if (result.status !== 'complete') continue;
    assert.equal(result.length, c.bytes.length);
    assert.equal(result.header.command, 'PROXY');
    assert.equal(result.header.family, 'INET');
    assert.equal(result.header.src, '127.0.0.1');
    assert.equal(result.header.srcPort, c.remotePort);
    assert.equal(result.header.dst, '127.0.0.1');
    assert.equal(result.header.dstPort, rec.port);
    assert.deepEqual(result.header.tlvs.map((t) => t.type), [0x03]);
  }
});

test('check port without check-send-proxy: no header (HAProxy 2.6: port/addr stop the inheritance)', async () => {
  const main = await recorder();
  const checkPort = await recorder();
  const m = model([server('s1', main.port, { sendProxy: 'v1', check: { port: checkPort.port } })]);
  await capture(m, checkPort);
  assert.equal(main.connections.length, 0, 'checks go to the check port only');
  for (const c of checkPort.connections.filter((x) => x.closed)) assert.equal(c.bytes.length, 0);
});

test('check-send-proxy with a check port: the header is forced, built for the check port', async () => {
  const main = await recorder();
  const checkPort = await recorder();
  const m = model([server('s1', main.port, { sendProxy: 'v1', check: { port: checkPort.port, sendProxy: true } })]);
  await capture(m, checkPort);
  for (const c of checkPort.connections.filter((x) => x.closed)) {
    assert.equal(c.bytes.toString('latin1'), `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.remotePort} ${checkPort.port}\r\n`);
  }
  assert.equal(main.connections.length, 0);
});

test('check-send-proxy without send-proxy on the server: v1', async () => {
  const rec = await recorder();
  await capture(model([server('s1', rec.port, { check: { sendProxy: true } })]), rec);
  for (const c of rec.connections.filter((x) => x.closed)) {
    assert.equal(c.bytes.toString('latin1'), `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.remotePort} ${rec.port}\r\n`);
  }
});

test('no-check-send-proxy: checks send no header even though traffic does', async () => {
  const rec = await recorder();
  const m = model([server('s1', rec.port, { sendProxy: 'v2', proxyV2Options: new Set(['crc32c']), check: { sendProxy: false } })]);
  await capture(m, rec);
  for (const c of rec.connections.filter((x) => x.closed)) assert.equal(c.bytes.length, 0);
});

test('set-proxy-v2-tlv-fmt TLVs are rendered per check, before CRC32C', async () => {
  const rec = await recorder();
  const format: CompiledLogFormat = {
    source: '%[srv_name]',
    earliestPhase: 'backend',
    render: (ctx) => Buffer.from(`${ctx.backendName ?? ''}/${ctx.serverName ?? ''}:${ctx.local?.port ?? 0}`),
  };
  const m = model([
    server('s1', rec.port, {
      sendProxy: 'v2',
      proxyV2Options: new Set(['crc32c']),
      tlvFormats: [{ type: 0xe1, format, pos: { file: 't', line: 1, col: 1 } }],
    }),
  ]);
  await capture(m, rec);
  for (const c of rec.connections.filter((x) => x.closed)) {
    const result = decode(c.bytes);
    assert.equal(result.status, 'complete');
    if (result.status !== 'complete') continue;
    assert.equal(result.header.command, 'LOCAL');
    assert.deepEqual(result.header.tlvs.map((t) => t.type), [0xe1, 0x03]);
    assert.equal(Buffer.from(result.header.tlvs[0]?.value ?? []).toString(), `be/s1:${rec.port}`);
  }
});

test('httpchk with send-proxy-v2: header, then the request', async () => {
  const rec = await recorder({ kind: 'http', status: 200, reason: 'OK' });
  const m = model([server('s1', rec.port, { sendProxy: 'v2' })], {
    checkKind: { kind: 'httpchk', method: 'GET', uri: '/health', version: 'HTTP/1.0', expectStatus: '200' },
  });
  const monitor = await capture(m, rec);
  for (const c of rec.connections.filter((x) => x.closed)) {
    assert.equal(c.bytes.toString('hex'), `${SIG_HEX}20000000${Buffer.from('GET /health HTTP/1.0\r\n\r\n').toString('hex')}`);
  }
  const snap = monitor.snapshot()[0];
  assert.equal(snap?.lastCheck?.status, 'L7OK');
  assert.equal(snap?.lastCheck?.code, 200);
});

test('tcp-check: only `connect … send-proxy` sends a header; send and expect follow', async () => {
  const main = await recorder({ kind: 'banner', text: '+PONG\r\n' });
  const other = await recorder({ kind: 'banner', text: '+PONG\r\n' });
  const m = model([server('s1', main.port, { sendProxy: 'v1' })], {
    checkKind: {
      kind: 'tcp-check',
      steps: [
        { kind: 'connect', sendProxy: false },
        { kind: 'send', data: Buffer.from('PING\r\n') },
        { kind: 'expect-string', text: '+PONG', negate: false },
        { kind: 'connect', port: other.port, sendProxy: true },
        { kind: 'send', data: Buffer.from('PING\r\n') },
        { kind: 'expect-rstring', pattern: /^\+PO/, negate: false },
      ],
    },
  });
  const monitor = await capture(m, other);
  for (const c of main.connections.filter((x) => x.closed)) assert.equal(c.bytes.toString('latin1'), 'PING\r\n');
  for (const c of other.connections.filter((x) => x.closed)) {
    assert.equal(c.bytes.toString('latin1'), `PROXY TCP4 127.0.0.1 127.0.0.1 ${c.remotePort} ${other.port}\r\nPING\r\n`);
  }
  const last = monitor.snapshot()[0]?.lastCheck;
  assert.equal(last?.reason, 'Layer7 check passed, code: 0, info: "(tcp-check)"');
});

test('tcp-check without a leading connect: the implicit connection inherits send-proxy-v2', async () => {
  const rec = await recorder({ kind: 'banner', text: 'hello\n' });
  const m = model([server('s1', rec.port, { sendProxy: 'v2' })], {
    checkKind: { kind: 'tcp-check', steps: [{ kind: 'expect-string', text: 'hello', negate: false }] },
  });
  await capture(m, rec);
  for (const c of rec.connections.filter((x) => x.closed)) assert.equal(c.bytes.toString('hex'), `${SIG_HEX}20000000`);
});

test('IPv6: send-proxy over ::1 sends TCP6', async (t) => {
  const rec = new RecordingServer({ kind: 'accept' }, '::1');
  try {
    await rec.listen();
  } catch {
    t.skip('no IPv6 loopback on this host');
    return;
  }
  cleanups.push(() => rec.close());
  await capture(model([server('s1', rec.port, { host: '::1', sendProxy: 'v1' })]), rec);
  for (const c of rec.connections.filter((x) => x.closed)) {
    assert.equal(c.bytes.toString('latin1'), `PROXY TCP6 ::1 ::1 ${c.remotePort} ${rec.port}\r\n`);
  }
});
