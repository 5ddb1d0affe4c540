// The configuration examples (test/config/fixtures/examples/, see docs/protocol.md), loaded by
// the real config loader and run, rewritten to loopback: private server addresses → a recording server, `bind :80`
// → 127.0.0.1:0, `check` dropped (health checks are tested on their own and would add
// header-less connections to the recording). Backend-only examples get a frontend; the
// variable examples get a backend that sends the variable on as a TLV, so the test can see it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfigText } from '../../../src/config/load-config.js';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import { connect, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';
import { SIG, tlvBytes, v1, v2 } from '../../support/expected-header.js';

const EXAMPLES = fileURLToPath(new URL('../../../../test/config/fixtures/examples/', import.meta.url));
const PAYLOAD = Buffer.from('GET / HTTP/1.0\r\n\r\n');
const AZURE = Buffer.from([0x01, 0x0a, 0x00, 0x00, 0x00]);
const AWS = Buffer.concat([Buffer.from([0x01]), Buffer.from('vpce-08d2bf15fac5001c9')]);

function v2In(tlvs: { type: number; value: Buffer }[]): Buffer {
  const body = Buffer.concat([Buffer.from('c0000201c6336407c82201bb', 'hex'), tlvBytes(tlvs)]);
  const head = Buffer.from([0x21, 0x11, 0, 0]);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([SIG, head, body]);
}

function rewrite(text: string, recPort: number): string {
  return text
    .replace(/\b192\.168\.\d+\.\d+:\d+/g, `127.0.0.1:${recPort}`)
    .replace(/bind :80\b/g, 'bind 127.0.0.1:0')
    .replace(/ check\b/g, '');
}

// Everything a test started is released here, even when it fails half-way: each server and
// daemon is registered the moment it exists, before anything that can throw.
const recorders: RecordingServer[] = [];
const daemons: RunningDaemon[] = [];
after(async () => {
  for (const daemon of daemons.splice(0)) await daemon.stop(100);
  for (const rec of recorders.splice(0)) await rec.close();
});

async function run(file: string, extra: string, send: Buffer, frontend: string): Promise<Buffer> {
  const original = readFileSync(EXAMPLES + file, 'utf8');
  const rec = await recordingServer();
  recorders.push(rec);
  const text = rewrite(original, rec.port) + '\n' + extra.replace(/REC/g, String(rec.port));
  const loaded = loadConfigText([{ file, text }]);
  assert.equal(loaded.ok, true, JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'alert')));
  const daemon = await startDaemon(loaded.model, { stderr: { write: () => true } as unknown as NodeJS.WritableStream });
  daemons.push(daemon);
  const c = await connect(daemon.listening.get(frontend)?.[0]?.port as number);
  try {
    c.write(Buffer.concat([send, PAYLOAD]));
    const conn = await rec.connection(0);
    await waitFor(() => conn.bytes().subarray(-PAYLOAD.length).equals(PAYLOAD), 3000, 'payload');
    return conn.bytes().subarray(0, conn.bytes().length - PAYLOAD.length);
  } finally {
    c.destroy();
  }
}

describe('spec examples on loopback', () => {
  it('01-receive: accept-proxy takes v1 and v2, the client is the advertised one', async () => {
    const got = await run('01-receive.cfg', '', Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n'), 'mywebsite');
    assert.equal(got.length, 0, 'no header to servers without send-proxy');
  });

  it('02-send-v1: send-proxy sends the v1 line', async () => {
    const extra = 'frontend fe\n  bind 127.0.0.1:0 accept-proxy\n  default_backend webservers\n';
    const got = await run('02-send-v1.cfg', extra, Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n'), 'fe');
    assert.deepEqual(got, v1('192.0.2.1', '198.51.100.7', 51234, 443));
  });

  it('03-send-v2: send-proxy-v2 sends the binary header', async () => {
    const extra = 'frontend fe\n  bind 127.0.0.1:0 accept-proxy\n  default_backend webservers\n';
    const got = await run('03-send-v2.cfg', extra, Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n'), 'fe');
    assert.deepEqual(got, v2('192.0.2.1', '198.51.100.7', 51234, 443));
  });

  it('04-tlv-receive-azure: the LINKID lands in sess.azure_vpcid (sent on as TLV 0xE1)', async () => {
    // The frontend is the file's last section: the appended line still belongs to it.
    const extra = '  default_backend be\nbackend be\n  server s 127.0.0.1:REC send-proxy-v2 set-proxy-v2-tlv-fmt(0xE1) %[var(sess.azure_vpcid)]\n';
    const text04 = readFileSync(EXAMPLES + '04-tlv-receive-azure.cfg', 'utf8');
    assert.match(text04, /frontend fe_main/);
    const got = await run('04-tlv-receive-azure.cfg', extra, v2In([{ type: 0xee, value: AZURE }]), 'fe_main');
    assert.deepEqual(got, v2('192.0.2.1', '198.51.100.7', 51234, 443, [{ type: 0xe1, value: AZURE.subarray(1) }]));
  });

  it('05-tlv-receive-aws: the VPC endpoint id lands in sess.aws_linkid', async () => {
    const extra = '  default_backend be\nbackend be\n  server s 127.0.0.1:REC send-proxy-v2 set-proxy-v2-tlv-fmt(0xE1) %[var(sess.aws_linkid)]\n';
    const got = await run('05-tlv-receive-aws.cfg', extra, v2In([{ type: 0xea, value: AWS }]), 'fe_main');
    assert.deepEqual(got, v2('192.0.2.1', '198.51.100.7', 51234, 443, [{ type: 0xe1, value: AWS.subarray(1) }]));
  });

  it('06-tlv-send-azure: forwards 0xEE with its NUL bytes intact (beyond HAProxy, §4.7)', async () => {
    const extra = 'frontend fe\n  bind 127.0.0.1:0 accept-proxy\n  default_backend webapp\n';
    const got = await run('06-tlv-send-azure.cfg', extra, v2In([{ type: 0xee, value: AZURE }]), 'fe');
    assert.deepEqual(got, v2('192.0.2.1', '198.51.100.7', 51234, 443, [{ type: 0xee, value: AZURE }]));
  });

  it('07-tlv-send-aws: forwards 0xEA', async () => {
    const extra = 'frontend fe\n  bind 127.0.0.1:0 accept-proxy\n  default_backend webapp\n';
    const got = await run('07-tlv-send-aws.cfg', extra, v2In([{ type: 0xea, value: AWS }]), 'fe');
    assert.deepEqual(got, v2('192.0.2.1', '198.51.100.7', 51234, 443, [{ type: 0xea, value: AWS }]));
  });
});
