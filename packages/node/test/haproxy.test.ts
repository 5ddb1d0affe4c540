// Real senders: Debian's HAProxy (`send-proxy`, `send-proxy-v2` with TLVs, LOCAL health
// checks) in front of Node servers, and `curl --haproxy-protocol` talking to them directly.
// The application must see the client address the sender advertised. Without haproxy, curl or
// openssl the file is skipped and counted in the run's summary (a failure under CI=true).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PP2_TYPE, findTlv, readCrc32c } from '@truehop/proxy-protocol';
import { acceptProxyProtocol, getProxyInfo, getStats } from '../src/index.js';
import { testCertificate } from './helpers/cert.js';
import { startHaproxy } from './helpers/haproxy.js';
import type { RunningHaproxy } from './helpers/haproxy.js';
import { closeServer, listen, waitFor } from './helpers/net.js';
import { peerSkip, requirePeer } from './helpers/require-peer.js';

const run = promisify(execFile);

// Fixed frontend ports (HAProxy's config is written before it starts): this package's range.
const FE_V1 = 62110;
const FE_V2 = 62111;
const FE_V1_IPV6 = 62112;
const FE_V2_CHECKS = 62113;
const FE_V2_HTTPS = 62114;
const FE_V2_H2 = 62115;
const CURL_PORTS = '62150-62169';

interface Seen {
  remoteAddress: string;
  remotePort: number;
  remoteFamily: string;
  localAddress: string;
  localPort: number;
  version: number | undefined;
  proxy: string | undefined;
  tlvTypes: number[];
  crcPresent: boolean;
  uniqueId: string | undefined;
  httpVersion: string;
}

function report(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  const socket = req.socket;
  const info = getProxyInfo(socket);
  const uniqueId = info === undefined ? undefined : findTlv(info.header, PP2_TYPE.UNIQUE_ID);
  const seen: Seen = {
    remoteAddress: String(socket.remoteAddress),
    remotePort: Number(socket.remotePort),
    remoteFamily: String(socket.remoteFamily),
    localAddress: String(socket.localAddress),
    localPort: Number(socket.localPort),
    version: info?.header.version,
    proxy: info?.proxy.address,
    tlvTypes: info?.header.tlvs.map((tlv) => tlv.type) ?? [],
    crcPresent: info !== undefined && readCrc32c(info.header) !== undefined,
    uniqueId: uniqueId === undefined ? undefined : Buffer.from(uniqueId.value).toString(),
    httpVersion: req.httpVersion,
  };
  if (req.url === '/health') checks.push(seen);
  res.end(JSON.stringify(seen));
}

const checks: Seen[] = [];

let haproxy: RunningHaproxy;
let curl: string;
let http: Server;
let https: Server;
let h2: Server;
let httpPort: number;
let httpsPort: number;
/** A server health-checked by HAProxy's plain TCP checks, with the README's onReject logging. */
let tcpChecked: Server;
const tcpCheckedRejects: string[] = [];

const skip = peerSkip('haproxy', 'curl', 'openssl');

before(async () => {
  if (skip !== false) return;
  curl = requirePeer('curl');
  const { key, cert } = testCertificate();
  http = acceptProxyProtocol(createHttpServer(report), { trusted: ['127.0.0.0/8', '::1'], headerTimeoutMs: 2000 });
  https = acceptProxyProtocol(createHttpsServer({ key, cert }, report), { trusted: ['127.0.0.0/8'] });
  h2 = acceptProxyProtocol(createSecureServer({ key, cert, allowHTTP1: true }, report), { trusted: ['127.0.0.0/8'] });
  httpPort = await listen(http);
  httpsPort = await listen(https);
  const h2Port = await listen(h2);
  tcpChecked = acceptProxyProtocol(createHttpServer(report), {
    trusted: ['127.0.0.0/8'],
    onReject: ({ code, peer }) => tcpCheckedRejects.push(`${code} ${String(peer.address)}`),
  });
  const tcpCheckedPort = await listen(tcpChecked);
  const config = [
    'global',
    '  maxconn 256',
    'defaults',
    '  mode tcp',
    '  timeout connect 5s',
    '  timeout client 30s',
    '  timeout server 30s',
    `frontend fe_v1`,
    `  bind 127.0.0.1:${FE_V1}`,
    `  bind [::1]:${FE_V1_IPV6}`,
    `  default_backend be_v1`,
    `backend be_v1`,
    `  server s1 127.0.0.1:${httpPort} send-proxy`,
    `frontend fe_v2`,
    `  bind 127.0.0.1:${FE_V2}`,
    `  unique-id-format req-%ci-%cp`,
    `  default_backend be_v2`,
    `backend be_v2`,
    `  server s2 127.0.0.1:${httpPort} send-proxy-v2 proxy-v2-options crc32c,unique-id`,
    // A health-checked backend: HAProxy ≥ 2.2 sends LOCAL on checks (§4.4, §4.8), then here
    // an HTTP request, and needs a 200 to keep the server up.
    `frontend fe_checks`,
    `  bind 127.0.0.1:${FE_V2_CHECKS}`,
    `  default_backend be_checks`,
    `backend be_checks`,
    `  option httpchk GET /health`,
    `  server s3 127.0.0.1:${httpPort} send-proxy-v2 check inter 100ms`,
    // Plain TCP checks (no httpchk): HAProxy connects, sends LOCAL and closes with a RST at
    // once, often before Node gets to read the peer's address.
    `backend be_tcp_checks`,
    `  server s6 127.0.0.1:${tcpCheckedPort} send-proxy-v2 check inter 50ms`,
    // TLS passes through HAProxy untouched; the header goes in front of the ClientHello.
    `frontend fe_https`,
    `  bind 127.0.0.1:${FE_V2_HTTPS}`,
    `  default_backend be_https`,
    `backend be_https`,
    `  server s4 127.0.0.1:${httpsPort} send-proxy-v2`,
    `frontend fe_h2`,
    `  bind 127.0.0.1:${FE_V2_H2}`,
    `  default_backend be_h2`,
    `backend be_h2`,
    `  server s5 127.0.0.1:${h2Port} send-proxy-v2`,
    '',
  ].join('\n');
  haproxy = await startHaproxy(config, [FE_V1, FE_V2, FE_V2_CHECKS, FE_V2_HTTPS, FE_V2_H2]);
});

after(async () => {
  await haproxy?.stop();
  for (const server of [http, https, h2, tcpChecked]) if (server !== undefined) await closeServer(server);
});

async function curlJson(args: string[]): Promise<Seen> {
  try {
    const { stdout } = await run(curl, ['-sS', '--max-time', '10', ...args], { timeout: 15_000 });
    return JSON.parse(stdout) as Seen;
  } catch (error) {
    throw new Error(`curl ${args.join(' ')} failed: ${String(error)}\nhaproxy output:\n${haproxy?.output() ?? ''}`);
  }
}

function assertCurlPort(port: number): void {
  assert.ok(port >= 62150 && port <= 62169, `remotePort ${port} is not the port curl used (${CURL_PORTS})`);
}

describe('HAProxy 2.6 in front of Node', { skip }, () => {
  it('send-proxy (v1): the app sees curl\'s address and port, and HAProxy\'s frontend as local end', async () => {
    const seen = await curlJson(['--interface', '127.0.0.3', '--local-port', CURL_PORTS, `http://127.0.0.1:${FE_V1}/v1`]);
    assert.equal(seen.remoteAddress, '127.0.0.3');
    assertCurlPort(seen.remotePort);
    assert.equal(seen.remoteFamily, 'IPv4');
    assert.equal(seen.localAddress, '127.0.0.1');
    assert.equal(seen.localPort, FE_V1);
    assert.equal(seen.version, 1);
    assert.equal(seen.proxy, '127.0.0.1');
  });

  it('send-proxy (v1) from an IPv6 client: TCP6 line, the app sees ::1 (while the proxy is 127.0.0.1)', async () => {
    const seen = await curlJson(['-g', '--local-port', CURL_PORTS, `http://[::1]:${FE_V1_IPV6}/v6`]);
    assert.equal(seen.remoteAddress, '::1');
    assertCurlPort(seen.remotePort);
    assert.equal(seen.remoteFamily, 'IPv6');
    assert.equal(seen.localPort, FE_V1_IPV6);
    assert.equal(seen.proxy, '127.0.0.1');
  });

  it('send-proxy-v2 with CRC32C and UNIQUE_ID TLVs: addresses and TLVs reach the app', async () => {
    const seen = await curlJson(['--interface', '127.0.0.3', '--local-port', CURL_PORTS, `http://127.0.0.1:${FE_V2}/v2`]);
    assert.equal(seen.remoteAddress, '127.0.0.3');
    assertCurlPort(seen.remotePort);
    assert.equal(seen.localPort, FE_V2);
    assert.equal(seen.version, 2);
    assert.equal(seen.crcPresent, true); // the codec verified it, or the connection would be refused
    assert.equal(seen.uniqueId, `req-127.0.0.3-${seen.remotePort}`);
    assert.ok(seen.tlvTypes.includes(PP2_TYPE.CRC32C) && seen.tlvTypes.includes(PP2_TYPE.UNIQUE_ID));
  });

  it('send-proxy-v2 health checks arrive as LOCAL: accepted, counted, real addresses kept', async () => {
    await waitFor(() => checks.length >= 2, 5000, 'two LOCAL health checks from HAProxy');
    for (const check of checks.slice(0, 2)) {
      assert.equal(check.remoteAddress, '127.0.0.1'); // the real peer: HAProxy itself
      assert.equal(check.localPort, httpPort); // the real local end, not a frontend's
      assert.equal(check.version, 2);
      assert.equal(check.proxy, '127.0.0.1');
    }
    assert.ok((getStats(http)?.local ?? 0) >= 2);
  });

  it('TCP health checks that reset at once are never rejections: onReject stays quiet at every check', async () => {
    await waitFor(() => (getStats(tcpChecked)?.connections ?? 0) >= 20, 10_000, 'twenty TCP health checks from HAProxy');
    const stats = getStats(tcpChecked);
    assert.ok(stats);
    assert.deepEqual(tcpCheckedRejects, [], JSON.stringify(stats));
    assert.equal(stats.rejected, 0);
    // each check either vanished (reset before its address could be read) or got its LOCAL
    // header read first; none was handed over with the proxy's address as a client's
    assert.equal(stats.proxied, 0);
    assert.equal(stats.vanished + stats.local + stats.waiting, stats.connections, JSON.stringify(stats));
  });

  it('TLS passed through HAProxy (https server): header read before the handshake, app sees curl', async () => {
    const seen = await curlJson(['-k', '--interface', '127.0.0.3', `https://127.0.0.1:${FE_V2_HTTPS}/tls`]);
    assert.equal(seen.remoteAddress, '127.0.0.3');
    assert.equal(seen.localPort, FE_V2_HTTPS);
    assert.equal(seen.version, 2);
  });

  it('HTTP/2 over TLS through HAProxy (http2 secure server): app sees curl', async () => {
    const seen = await curlJson(['-k', '--http2', '--interface', '127.0.0.3', `https://127.0.0.1:${FE_V2_H2}/h2`]);
    assert.equal(seen.httpVersion, '2.0');
    assert.equal(seen.remoteAddress, '127.0.0.3');
    assert.equal(seen.localPort, FE_V2_H2);
  });

  it('no rejections happened on the way', () => {
    assert.equal(getStats(http)?.rejected, 0, JSON.stringify(getStats(http)));
    assert.equal(getStats(https)?.rejected, 0);
    assert.equal(getStats(h2)?.rejected, 0);
  });
});

describe('curl --haproxy-protocol (v1) straight to Node', { skip }, () => {
  it('http: the app sees the address curl advertised', async () => {
    const seen = await curlJson(['--haproxy-protocol', '--interface', '127.0.0.4', '--local-port', CURL_PORTS, `http://127.0.0.1:${httpPort}/curl`]);
    assert.equal(seen.remoteAddress, '127.0.0.4');
    assertCurlPort(seen.remotePort);
    assert.equal(seen.version, 1);
    assert.equal(seen.localPort, httpPort);
  });

  it('https: the header precedes the TLS handshake', async () => {
    const seen = await curlJson(['-k', '--haproxy-protocol', '--interface', '127.0.0.4', `https://127.0.0.1:${httpsPort}/curl-tls`]);
    assert.equal(seen.remoteAddress, '127.0.0.4');
    assert.equal(seen.version, 1);
  });

  it('without --haproxy-protocol curl is refused (require mode)', async () => {
    const before = getStats(http)?.rejectedBy.NOT_HDR ?? 0;
    await assert.rejects(run(curl, ['-sS', '--max-time', '5', `http://127.0.0.1:${httpPort}/plain`], { timeout: 10_000 }));
    assert.equal(getStats(http)?.rejectedBy.NOT_HDR, before + 1);
  });
});
