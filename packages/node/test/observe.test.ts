// Observation: the header channel, the waiting gauge, getStats() on a foreign server, and the
// warning for the one unsafe combination of options.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer as createNetServer } from 'node:net';
import type { Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { encode } from '@truehop/proxy-protocol';
import { DIAGNOSTICS_CHANNELS, acceptProxyProtocol, getStats } from '../src/index.js';
import type { HeaderEvent } from '../src/index.js';
import { closeServer, exchange, listen, waitFor } from './helpers/net.js';

const HEADER = encode({ version: 2, src: '192.0.2.1', srcPort: 5555, dst: '198.51.100.2', dstPort: 80 });

const servers: Server[] = [];
after(async () => {
  for (const server of servers) await closeServer(server);
});

describe('observation', () => {
  it('publishes accepted headers on truehop:node:header before the app gets the socket', async () => {
    const order: string[] = [];
    const server = acceptProxyProtocol(createNetServer((socket) => {
      order.push(`app:${socket.remoteAddress}`);
      socket.end();
    }));
    servers.push(server);
    const events: HeaderEvent[] = [];
    const onMessage = (message: unknown): void => {
      const event = message as HeaderEvent;
      if (event.server !== server) return;
      events.push(event);
      order.push(`channel:${event.socket.remoteAddress}`);
    };
    subscribe(DIAGNOSTICS_CHANNELS.header, onMessage);
    try {
      const port = await listen(server);
      await exchange(port, [HEADER]);
      assert.deepEqual(order, ['channel:192.0.2.1', 'app:192.0.2.1']);
      assert.equal(events[0]?.info.header.src, '192.0.2.1');
      assert.equal(events[0]?.info.proxy.address, '127.0.0.1');
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.header, onMessage);
    }
  });

  it('counts connections waiting for their header as a gauge', async () => {
    const server = acceptProxyProtocol(createNetServer((socket) => socket.end()), { headerTimeoutMs: 300 });
    servers.push(server);
    const port = await listen(server);
    const stalled = [exchange(port, [HEADER.subarray(0, 4)]), exchange(port, [HEADER.subarray(0, 9)])];
    await waitFor(() => getStats(server)?.waiting === 2, 2000, 'two waiting connections');
    await Promise.all(stalled);
    await waitFor(() => getStats(server)?.waiting === 0, 2000, 'the gauge back to 0');
    assert.equal(getStats(server)?.rejectedBy.TIMEOUT, 2);
  });

  it('getStats() is undefined for a server never given to acceptProxyProtocol()', () => {
    assert.equal(getStats(createNetServer()), undefined);
  });

  it("warns when mode 'optional' is used without 'trusted' (anyone could choose their address)", async () => {
    const warned = new Promise<Error & { code?: string }>((resolve) => process.once('warning', resolve));
    acceptProxyProtocol(createNetServer(), { mode: 'optional' });
    const warning = await warned;
    assert.equal(warning.code, 'TRUEHOP_OPTIONAL_WITHOUT_TRUSTED');
  });
});
