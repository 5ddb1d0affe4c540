import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { ProxyHeader } from '@truehop/proxy-protocol';
import { advertisedEndpoints, applyEndpoints, attachProxyInfo, getProxyInfo, inheritProxyInfo, recordProxyInfo } from './socket-info.js';

const base: ProxyHeader = {
  version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM',
  src: '192.0.2.1', srcPort: 5555, dst: '198.51.100.2', dstPort: 443, tlvs: [],
};

describe('advertisedEndpoints', () => {
  it('PROXY over INET / INET6 replaces both ends', () => {
    assert.deepEqual({ ...advertisedEndpoints(base) }, {
      remoteAddress: '192.0.2.1', remotePort: 5555, remoteFamily: 'IPv4',
      localAddress: '198.51.100.2', localPort: 443, localFamily: 'IPv4',
    });
    const v6 = advertisedEndpoints({ ...base, family: 'INET6', src: '::ffff:192.0.2.1', dst: '2001:db8::2' });
    assert.equal(v6?.remoteFamily, 'IPv6');
    assert.equal(v6?.remoteAddress, '::ffff:192.0.2.1');
  });

  it('LOCAL, v1 UNKNOWN, v2 UNSPEC and UNIX keep the real addresses (§1.4, §2.4)', () => {
    const none = { src: null, srcPort: null, dst: null, dstPort: null };
    assert.equal(advertisedEndpoints({ ...base, command: 'LOCAL', family: 'UNSPEC', transport: 'UNSPEC', ...none }), null);
    // LOCAL with an address block (AWS NLB health checks) still keeps the real addresses
    assert.equal(advertisedEndpoints({ ...base, command: 'LOCAL' }), null);
    assert.equal(advertisedEndpoints({ ...base, version: 1, protocol: 'UNKNOWN', family: 'UNSPEC', transport: 'UNSPEC', ...none }), null);
    assert.equal(advertisedEndpoints({ ...base, family: 'UNSPEC', transport: 'UNSPEC', ...none }), null);
    assert.equal(advertisedEndpoints({ ...base, family: 'UNIX', src: '/a', dst: '/b', srcPort: null, dstPort: null }), null);
  });
});

describe('applyEndpoints / getProxyInfo', () => {
  it('a real socket reports the advertised addresses; getProxyInfo is keyed by object', async () => {
    const server = createServer();
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    try {
      const socket = await accepted;
      if (client.connecting) await new Promise((resolve) => client.once('connect', resolve));
      assert.equal(socket.remoteAddress, '127.0.0.1');
      assert.equal(getProxyInfo(socket), undefined);
      const endpoints = advertisedEndpoints(base);
      assert.ok(endpoints);
      applyEndpoints(socket, endpoints);
      const info = { header: base, proxy: { address: '127.0.0.1', port: 1, family: 'IPv4' } };
      recordProxyInfo(socket, info);
      assert.equal(socket.remoteAddress, '192.0.2.1');
      assert.equal(socket.remotePort, 5555);
      assert.equal(socket.remoteFamily, 'IPv4');
      assert.equal(socket.localAddress, '198.51.100.2');
      assert.equal(socket.localPort, 443);
      assert.equal(getProxyInfo(socket), info);
      assert.equal(getProxyInfo({}), undefined);
      assert.equal(getProxyInfo(null), undefined);
      // the client side is untouched
      assert.equal(client.remoteAddress, '127.0.0.1');
      socket.destroy();
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('attachProxyInfo: found through wrappers that route reads to the socket (http2 Proxies)', () => {
  const info = { header: base, proxy: { address: '127.0.0.1', port: 1, family: 'IPv4' } };

  it('a Proxy routing property reads to the socket finds the info; one that throws gives undefined', () => {
    const socket = {};
    attachProxyInfo(socket, info, null);
    assert.equal(getProxyInfo(socket), info);
    // what http2's session.socket does (node:http2, "http2session.socket")
    const routed = new Proxy({}, { get: (_target, prop) => Reflect.get(socket, prop) as unknown });
    assert.equal(getProxyInfo(routed), info);
    assert.equal(getProxyInfo({ socket: routed }), info); // e.g. the compat request
    const unbound = new Proxy({}, { get: () => { throw new Error('ERR_HTTP2_SOCKET_UNBOUND'); } });
    assert.equal(getProxyInfo(unbound), undefined);
    // invisible to whoever walks the socket
    assert.deepEqual(Object.keys(socket), []);
    assert.equal(JSON.stringify(socket), '{}');
  });

  it('inheritProxyInfo gives a wrapper socket the header and the addresses of the socket under it', () => {
    const raw = {};
    const endpoints = advertisedEndpoints(base);
    attachProxyInfo(raw, info, endpoints);
    const tls: { remoteAddress?: string } = {};
    assert.equal(inheritProxyInfo(tls, raw), true);
    assert.equal(getProxyInfo(tls), info);
    assert.equal(tls.remoteAddress, '192.0.2.1');
    assert.equal(inheritProxyInfo({}, {}), false); // no header under it: nothing changes
  });
});
