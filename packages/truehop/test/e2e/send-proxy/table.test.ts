// §4.3: the header each server receives, for every kind of incoming connection, byte for
// byte against the spec (expected bytes are written out field by field, not by the codec's
// encoder). Raw sockets on both sides; the recording server keeps exactly what arrived.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32c } from '@truehop/proxy-protocol';
import { startDaemon } from '../../../src/runtime/run.js';
import type { ServerModel, BindModel, FrontendModel } from '../../../src/model/config-model.js';
import { logFormat, server, simple } from '../../support/model.js';
import { connect, recordingServer, waitFor } from '../../support/peers.js';
import { crcValueOffset, SIG, tlvBytes, v1, v2 } from '../../support/expected-header.js';
import { INCOMING } from '../../support/incoming-headers.js';

const PAYLOAD = Buffer.from('hello\r\n');

interface Run {
  received: Buffer;
  clientPort: number;
  clientAddress: string;
  fePort: number;
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function through(
  srv: Partial<ServerModel>,
  send: Buffer,
  opts: { bind?: Partial<BindModel>; frontend?: Partial<FrontendModel>; expectBytes: (r: Omit<Run, 'received'>) => number; clientHost?: string },
): Promise<Run> {
  const rec = await recordingServer();
  const daemon = await startDaemon(simple([server('s1', rec.port, srv)], { bind: opts.bind ?? {}, frontend: opts.frontend ?? {} }));
  try {
    const fePort = daemon.listening.get('fe')?.[0]?.port as number;
    const client = await connect(fePort, opts.clientHost ?? '127.0.0.1');
    const clientPort = client.localPort as number;
    const clientAddress = client.localAddress as string;
    client.write(send);
    const conn = await rec.connection(0);
    const want = opts.expectBytes({ clientPort, clientAddress, fePort });
    await waitFor(() => conn.bytes().length >= want, 5000, `${want} bytes at the server`);
    client.destroy();
    return { received: conn.bytes(), clientPort, clientAddress, fePort };
  } finally {
    await daemon.stop(100);
    await rec.close();
  }
}

const AZURE_VALUE = Buffer.from([0x01, 0x0a, 0x00, 0x00, 0x00]);
const AWS_VALUE = Buffer.concat([Buffer.from([0x01]), Buffer.from('vpce-08d2bf15fac5001c9')]);
const V2_IN_VENDOR = Buffer.concat([
  SIG,
  Buffer.from([0x21, 0x11, 0x00, 12 + 3 + AZURE_VALUE.length + 3 + AWS_VALUE.length]),
  Buffer.from('c0000201c6336407c82201bb', 'hex'),
  tlvBytes([
    { type: 0xee, value: AZURE_VALUE },
    { type: 0xea, value: AWS_VALUE },
  ]),
]);

for (const version of ['v1', 'v2'] as const) {
  const enc = version === 'v1' ? v1 : v2;
  describe(`send-proxy ${version} (§4.3 table)`, () => {
    it('plain client → real client and local addresses', async () => {
      const r = await through({ sendProxy: version }, PAYLOAD, {
        expectBytes: (x) => enc('127.0.0.1', '127.0.0.1', x.clientPort, x.fePort).length + PAYLOAD.length,
      });
      assert.deepEqual(r.received, Buffer.concat([enc('127.0.0.1', '127.0.0.1', r.clientPort, r.fePort), PAYLOAD]));
    });

    it('v1 PROXY TCP4 in → the advertised addresses', async () => {
      const want = Buffer.concat([enc('192.0.2.1', '198.51.100.7', 51234, 443), PAYLOAD]);
      const r = await through({ sendProxy: version }, Buffer.concat([INCOMING.v1_tcp4, PAYLOAD]), {
        bind: { acceptProxy: true },
        expectBytes: () => want.length,
      });
      assert.deepEqual(r.received, want);
    });

    it('v1 PROXY TCP6 in → TCP6 / INET6 with the advertised addresses', async () => {
      const want = Buffer.concat([enc('2001:db8::1', '2001:db8::2', 51234, 443), PAYLOAD]);
      const r = await through({ sendProxy: version }, Buffer.concat([INCOMING.v1_tcp6, PAYLOAD]), {
        bind: { acceptProxy: true },
        expectBytes: () => want.length,
      });
      assert.deepEqual(r.received, want);
    });

    it('v2 PROXY in with TLVs → the advertised addresses, received TLVs not forwarded', async () => {
      const want = Buffer.concat([enc('192.0.2.1', '198.51.100.7', 51234, 443), PAYLOAD]);
      const r = await through({ sendProxy: version }, Buffer.concat([INCOMING.v2_tcp4_tlvs, PAYLOAD]), {
        bind: { acceptProxy: true },
        expectBytes: () => want.length,
      });
      assert.deepEqual(r.received, want);
    });

    it('v2 LOCAL in → PROXY with the real addresses (never LOCAL)', async () => {
      const r = await through({ sendProxy: version }, Buffer.concat([INCOMING.v2_local, PAYLOAD]), {
        bind: { acceptProxy: true },
        expectBytes: (x) => enc('127.0.0.1', '127.0.0.1', x.clientPort, x.fePort).length + PAYLOAD.length,
      });
      assert.deepEqual(r.received, Buffer.concat([enc('127.0.0.1', '127.0.0.1', r.clientPort, r.fePort), PAYLOAD]));
    });

    it('v1 UNKNOWN in → PROXY with the real addresses (never UNKNOWN)', async () => {
      const r = await through({ sendProxy: version }, Buffer.concat([INCOMING.v1_unknown, PAYLOAD]), {
        bind: { acceptProxy: true },
        expectBytes: (x) => enc('127.0.0.1', '127.0.0.1', x.clientPort, x.fePort).length + PAYLOAD.length,
      });
      assert.deepEqual(r.received, Buffer.concat([enc('127.0.0.1', '127.0.0.1', r.clientPort, r.fePort), PAYLOAD]));
    });

    it('v2 PROXY with UDP or UNSPEC family in → the real addresses (not taken from the header)', async () => {
      for (const famByte of [0x12, 0x00]) {
        const body = famByte === 0x12 ? Buffer.from('c0000201c6336407c82201bb', 'hex') : Buffer.alloc(0);
        const head = Buffer.from([0x21, famByte, 0, body.length]);
        const r = await through({ sendProxy: version }, Buffer.concat([SIG, head, body, PAYLOAD]), {
          bind: { acceptProxy: true },
          expectBytes: (x) => enc('127.0.0.1', '127.0.0.1', x.clientPort, x.fePort).length + PAYLOAD.length,
        });
        assert.deepEqual(r.received, Buffer.concat([enc('127.0.0.1', '127.0.0.1', r.clientPort, r.fePort), PAYLOAD]));
      }
    });

    it('IPv6 listener and client on ::1 → TCP6 / INET6 with ::1', async () => {
      const r = await through({ sendProxy: version }, PAYLOAD, {
        bind: { host: '::1' },
        clientHost: '::1',
        expectBytes: (x) => enc('::1', '::1', x.clientPort, x.fePort).length + PAYLOAD.length,
      });
      assert.deepEqual(r.received, Buffer.concat([enc('::1', '::1', r.clientPort, r.fePort), PAYLOAD]));
    });
  });
}

describe('send-proxy-v2 TLVs (§2.8, §4.6, §4.7)', () => {
  it('proxy-v2-options crc32c: CRC32C TLV last, big-endian, over the finished header', async () => {
    const r = await through({ sendProxy: 'v2', proxyV2Options: new Set(['crc32c']) }, PAYLOAD, {
      expectBytes: (x) => v2('127.0.0.1', '127.0.0.1', x.clientPort, x.fePort).length + 7 + PAYLOAD.length,
    });
    const zeroed = v2('127.0.0.1', '127.0.0.1', r.clientPort, r.fePort, [{ type: 0x03, value: Buffer.alloc(4) }]);
    const header = r.received.subarray(0, zeroed.length);
    const value = Buffer.alloc(4);
    value.writeUInt32BE(crc32c(zeroed));
    const want = Buffer.from(zeroed);
    value.copy(want, crcValueOffset(want));
    assert.deepEqual(header, want);
    assert.deepEqual(r.received.subarray(zeroed.length), PAYLOAD);
  });

  it('set-proxy-v2-tlv-fmt forwards Azure (0xEE) and AWS (0xEA) values with NUL bytes intact', async () => {
    const forward = (type: number) =>
      logFormat((ctx) => {
        const t = ctx.proxyHeader?.tlvs.find((x) => x.type === type);
        return t ? Buffer.from(t.value) : Buffer.alloc(0);
      }, `%[fc_pp_tlv(${type})]`);
    const tlvFormats = [
      { type: 0xee, format: forward(0xee), pos: { file: 't', line: 1, col: 1 } },
      { type: 0xea, format: forward(0xea), pos: { file: 't', line: 1, col: 1 } },
    ];
    const want = Buffer.concat([
      v2('192.0.2.1', '198.51.100.7', 51234, 443, [
        { type: 0xee, value: AZURE_VALUE },
        { type: 0xea, value: AWS_VALUE },
      ]),
      PAYLOAD,
    ]);
    const r = await through({ sendProxy: 'v2', tlvFormats }, Buffer.concat([V2_IN_VENDOR, PAYLOAD]), {
      bind: { acceptProxy: true },
      expectBytes: () => want.length,
    });
    assert.deepEqual(r.received, want);
  });

  it('TLV order: user TLVs → CRC32C → AUTHORITY → UNIQUE_ID → SSL; CRC covers all of it', async () => {
    const tlvFormats = [{ type: 0xe1, format: logFormat(() => Buffer.from('foo')), pos: { file: 't', line: 1, col: 1 } }];
    const options = new Set(['ssl', 'unique-id', 'authority', 'crc32c'] as const);
    const uniqueIdFormat = logFormat(() => Buffer.from('id-42'));
    const expectedTlvs = (crc: Buffer) => [
      { type: 0xe1, value: Buffer.from('foo') },
      { type: 0x03, value: crc },
      { type: 0x02, value: Buffer.from('example.com') },
      { type: 0x05, value: Buffer.from('id-42') },
      { type: 0x20, value: Buffer.alloc(5) },
    ];
    const zeroed = v2('192.0.2.1', '198.51.100.7', 51234, 443, expectedTlvs(Buffer.alloc(4)));
    const r = await through({ sendProxy: 'v2', proxyV2Options: options, tlvFormats }, Buffer.concat([INCOMING.v2_tcp4_tlvs, PAYLOAD]), {
      bind: { acceptProxy: true },
      frontend: { uniqueIdFormat },
      expectBytes: () => zeroed.length + PAYLOAD.length,
    });
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32c(zeroed));
    assert.deepEqual(r.received, Buffer.concat([v2('192.0.2.1', '198.51.100.7', 51234, 443, expectedTlvs(crc)), PAYLOAD]));
  });

  it('proxy-v2-options unique-id without unique-id-format sends an empty UNIQUE_ID TLV (§4.6)', async () => {
    const want = Buffer.concat([v2('192.0.2.1', '198.51.100.7', 51234, 443, [{ type: 0x05, value: Buffer.alloc(0) }]), PAYLOAD]);
    const r = await through({ sendProxy: 'v2', proxyV2Options: new Set(['unique-id']) }, Buffer.concat([INCOMING.v1_tcp4, PAYLOAD]), {
      bind: { acceptProxy: true },
      expectBytes: () => want.length,
    });
    assert.deepEqual(r.received, want);
  });
});

