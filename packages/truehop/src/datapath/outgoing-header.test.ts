// The header builder alone, for the cases an end-to-end test cannot produce on loopback:
// mixed address families (§4.3 last row: after set-src one end may be IPv4, the other IPv6)
// and the size ceiling on user TLVs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerModel } from '../model/config-model.js';
import { adoptProxyHeader } from '../model/session-context.js';
import type { Endpoint, SessionContext } from '../model/session.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import { compileOutgoingHeader, MAX_OUTGOING_HEADER_BYTES } from './outgoing-header.js';

const POS = { file: 't', line: 1, col: 1 };

function srv(partial: Partial<ServerModel>): ServerModel {
  return {
    name: 's', host: '127.0.0.1', port: 1, weight: 1, backup: false, disabled: false, sendProxy: 'v2',
    proxyV2Options: new Set(), tlvFormats: [], pos: POS,
    check: { enabled: false, interMs: 1, fastinterMs: 1, downinterMs: 1, rise: 1, fall: 1, sendProxy: false },
    ...partial,
  };
}

function ctx(client: Endpoint, local: Endpoint): SessionContext {
  const c = createSessionContext({ realClient: client, realLocal: local, frontendName: 'fe', phase: 'backend' });
  adoptProxyHeader(c, null);
  return c;
}

const V4: Endpoint = { address: '192.0.2.55', port: 60864, family: 'IPv4' };
const V6: Endpoint = { address: '::1', port: 23021, family: 'IPv6' };

describe('outgoing header: mixed families (§1.6, §2.8)', () => {
  it('v1: TCP6 with the IPv4 end mapped (HAProxy observed bytes)', () => {
    const build = compileOutgoingHeader(srv({ sendProxy: 'v1' }));
    assert.equal(build?.(ctx(V4, V6)).toString('latin1'), 'PROXY TCP6 ::ffff:192.0.2.55 ::1 60864 23021\r\n');
  });

  it('v2: 0x21 0x21 with ::ffff:192.0.2.55', () => {
    const build = compileOutgoingHeader(srv({ sendProxy: 'v2' }));
    const h = build?.(ctx(V4, V6)) as Buffer;
    assert.equal(h.subarray(12, 16).toString('hex'), '21210024');
    assert.equal(h.subarray(16, 32).toString('hex'), '00000000000000000000ffffc0000237');
    assert.equal(h.subarray(32, 48).toString('hex'), '00000000000000000000000000000001');
    assert.equal(h.readUInt16BE(48), 60864);
    assert.equal(h.readUInt16BE(50), 23021);
  });

  it('no header at all without send-proxy', () => {
    assert.equal(compileOutgoingHeader(srv({ sendProxy: 'none' })), undefined);
  });
});

describe('outgoing header: user TLV ceiling (§4.7)', () => {
  it('drops a TLV that would push the header past 16 KiB and keeps the rest', () => {
    const fmt = (n: number) => ({ source: 'x', earliestPhase: 'connection' as const, render: () => Buffer.alloc(n, 0x61) });
    const build = compileOutgoingHeader(srv({
      tlvFormats: [
        { type: 0xe1, format: fmt(10), pos: POS },
        { type: 0xe2, format: fmt(MAX_OUTGOING_HEADER_BYTES), pos: POS },
        { type: 0xe3, format: fmt(5), pos: POS },
      ],
    }));
    const h = build?.(ctx(V4, { ...V4, port: 80 })) as Buffer;
    assert.ok(h.length < MAX_OUTGOING_HEADER_BYTES);
    // address block 12 bytes, then 0xE1 (10), then 0xE3 (5): 0xE2 was dropped.
    assert.equal(h[28], 0xe1);
    assert.equal(h[28 + 13], 0xe3);
    assert.equal(h.length, 28 + 13 + 8);
  });
});
