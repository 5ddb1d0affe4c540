// Run-time differential for the PROXY-header fetches against Debian's HAProxy 2.6: a real
// header (built by the codec) is sent on loopback to `bind … accept-proxy`; HAProxy records
// `src` inside `tcp-request connection` and `content` rules and renders the header fetches into
// a response header; truehop runs the same rules and format on the same header and must agree.
// This pins §4.1 (connection rules see the real peer), the port-0 oddity of §4.11, LOCAL and
// v1 UNKNOWN keeping the real addresses. Skipped when HAProxy is not installed.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { authorityTlv, decode, encode, uniqueIdTlv } from '@truehop/proxy-protocol';
import type { EncodeInput } from '@truehop/proxy-protocol';
import { compileTcpRuleLine, createCompileEnv, word } from '../support/compile-env-fixture.js';
import { compileLogFormat } from '../../src/sample/log-format.js';
import { createSessionContext } from '../support/session-fixture.js';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../support/haproxy.js';

const EXCHANGE_TIMEOUT_MS = 5000;

const RULES = [
  'connection set-var(sess.conn_src) src',
  'connection set-var(sess.conn_port) src_port',
  'content set-var(sess.cnt_src) src',
];
const FORMAT = '[%[var(sess.conn_src)]|%[var(sess.conn_port)]|%[var(sess.cnt_src)]|%[src]|%[src_port]|%[dst]|%[dst_port]|%[fc_src]|%[fc_rcvd_proxy]|%[fc_pp_authority]|%[fc_pp_unique_id]|%ci|%fi:%fp]';

const HEADERS: readonly [string, EncodeInput][] = [
  ['v2 TCP4 with AUTHORITY and UNIQUE_ID', { version: 2, src: '192.0.2.1', srcPort: 51000, dst: '198.51.100.2', dstPort: 443, tlvs: [authorityTlv('example.com'), uniqueIdTlv('uid-1')] }],
  ['v2 TCP6', { version: 2, src: '2001:db8::1', srcPort: 40000, dst: '2001:db8::2', dstPort: 8443 }],
  ['v2 source port 0', { version: 2, src: '192.0.2.9', srcPort: 0, dst: '198.51.100.2', dstPort: 0 }],
  ['v2 LOCAL', { version: 2, command: 'LOCAL' }],
  ['v1 TCP4', { version: 1, src: '203.0.113.7', srcPort: 1234, dst: '198.51.100.2', dstPort: 80 }],
  ['v1 UNKNOWN', { version: 1 }],
];

let haproxy: RunningHaproxy | undefined;
let port = 0;

/** Sends header + request, returns [x-a header value, our local port]. */
async function exchange(header: Buffer): Promise<[string | undefined, number]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let localPort = 0;
    const timer = setTimeout(() => socket.destroy(new Error('exchange timed out')), EXCHANGE_TIMEOUT_MS);
    socket.once('connect', () => {
      localPort = socket.localPort ?? 0;
      socket.write(Buffer.concat([header, Buffer.from('GET / HTTP/1.0\r\n\r\n')]));
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const line = text.split('\r\n').find((l) => l.toLowerCase().startsWith('x-a:'));
      resolve([line?.slice(4).trim(), localPort]);
    });
  });
}

describe('PROXY-header fetches agree with HAProxy 2.6 behind accept-proxy', { skip: haproxySkip }, () => {
  before(async () => {
    haproxy = await startHaproxy(1, ([port]) => [
      'defaults', '  mode http', '  timeout client 5s', '  timeout server 5s', '  timeout connect 5s',
      'frontend f', `  bind 127.0.0.1:${port} accept-proxy`,
      ...RULES.map((r) => `  tcp-request ${r}`),
      `  http-request return status 200 hdr x-a "${FORMAT}"`, '',
    ].join('\n'));
    port = haproxy.ports[0] as number;
  });
  after(async () => {
    await haproxy?.stop();
  });

  for (const [name, input] of HEADERS) {
    it(name, async () => {
      const wire = encode(input);
      const [theirs, localPort] = await exchange(wire);
      assert.ok(theirs !== undefined, 'HAProxy answered with the x-a header');

      const decoded = decode(wire);
      assert.equal(decoded.status, 'complete');
      if (decoded.status !== 'complete') return;
      const env = createCompileEnv('content', 'f');
      const ctx = createSessionContext({
        realClient: { address: '127.0.0.1', port: localPort, family: 'IPv4' },
        realLocal: { address: '127.0.0.1', port, family: 'IPv4' },
        proxyHeader: decoded.header,
        frontendName: 'f',
      });
      for (const line of RULES) {
        const d = compileTcpRuleLine(line, env);
        assert.ok(d !== undefined, JSON.stringify(env.diagnostics.items));
        d.run(ctx);
      }
      const fmt = compileLogFormat(word(FORMAT), env);
      assert.ok(fmt, JSON.stringify(env.diagnostics.items));
      assert.equal(fmt.render(ctx).toString('latin1'), theirs, 'truehop vs HAProxy');
    });
  }
});
