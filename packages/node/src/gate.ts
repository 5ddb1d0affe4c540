// Job: admission and header reading — the one 'connection' listener acceptProxyProtocol()
// leaves on a server. Per connection: who is the peer, may it send a header, read the header,
// then hand the socket (reporting the header's addresses) to the server's own listeners, or
// refuse it.
import type { Server, Socket } from 'node:net';
import type { HeldConnectionListeners } from './connection-listeners.js';
import { headerChannel, publishHeader } from './diagnostics.js';
import { rejection } from './errors.js';
import { admit } from './policy.js';
import type { Policy } from './policy.js';
import { readHeader } from './read-header.js';
import type { ReadHeaderOptions, ReadHeaderResult } from './read-header.js';
import { refuse } from './refusal.js';
import type { Peer } from './refusal.js';
import { advertisedEndpoints, attachProxyInfo } from './socket-info.js';
import type { ProxyInfo } from './socket-info.js';
import type { ProxyStats } from './stats.js';

export interface GateContext {
  readonly server: Server;
  readonly policy: Policy;
  readonly stats: ProxyStats;
  readonly listeners: HeldConnectionListeners;
}

const NO_PEER: Peer = Object.freeze({ address: undefined, port: undefined, family: undefined });

export function createGate(ctx: GateContext): (socket: Socket) => void {
  const { server, policy, stats, listeners } = ctx;
  // Two variants of the header wait, built once: the admission decides which one a peer gets.
  const headerRequired: ReadHeaderOptions = { maxHeaderBytes: policy.maxHeaderBytes, timeoutMs: policy.headerTimeoutMs, allowPlain: false };
  const headerOrPlain: ReadHeaderOptions = { ...headerRequired, allowPlain: true };

  return (socket) => {
    stats.connections++;
    if (socket.destroyed) {
      // Torn down before we saw it (e.g. by another 'connection' listener prepended ahead of
      // us): no 'close' will come to end a header wait, so account for it now.
      refuse(server, policy, stats, socket, NO_PEER, rejection('ABORT', 'the connection was closed before its header could be read'));
      return;
    }
    // The real TCP peer, read before any accessor can shadow it: trust is decided on it, and
    // it is what getProxyInfo() reports as the proxy.
    const peer: Peer = { address: socket.remoteAddress, port: socket.remotePort, family: socket.remoteFamily };
    if (peer.address === undefined && policy.isTrusted !== null && typeof server.address() !== 'string') {
      // A TCP socket whose peer address cannot be read was reset before we got to it: HAProxy
      // sends its LOCAL header on a health check and closes with a RST at once, every
      // `inter`. Nobody is there to refuse, and nothing can be trusted or served: counted
      // apart, never reported as a rejection (the app's onReject log would fire every check).
      socket.destroy();
      stats.vanished++;
      return;
    }
    const admission = admit(policy, peer.address);
    if (admission === 'reject') {
      // Require mode and not a trusted sender: such a peer can never be served, so nothing is
      // read from it at all (spoofing attempt or misrouted client; §4.1 fails closed).
      refuse(server, policy, stats, socket, peer, rejection('UNTRUSTED_SOURCE', 'the peer is not a trusted sender of PROXY headers'));
      return;
    }
    stats.waiting++;
    readHeader(socket, admission === 'header' ? headerRequired : headerOrPlain, (result: ReadHeaderResult) => {
      stats.waiting--;
      if (result.kind === 'reject') {
        refuse(server, policy, stats, socket, peer, result.error);
        return;
      }
      if (result.kind === 'plain') {
        stats.direct++;
        // Give back what was read, in order, in front of anything still buffered.
        for (let i = result.replay.length - 1; i >= 0; i--) socket.unshift(result.replay[i]);
        listeners.handOver(socket);
        return;
      }
      if (admission === 'plain-only') {
        // A valid header from a peer outside `trusted`: never believed, never passed on as
        // data either (the application would parse "PROXY …" as a request).
        refuse(server, policy, stats, socket, peer, rejection('UNTRUSTED_SOURCE', 'a PROXY header came from a peer that is not a trusted sender'));
        return;
      }
      const info: ProxyInfo = Object.freeze({ header: result.header, proxy: Object.freeze(peer) });
      const advertised = advertisedEndpoints(result.header);
      attachProxyInfo(socket, info, advertised);
      if (advertised === null) stats.local++;
      else stats.proxied++;
      if (headerChannel.hasSubscribers) publishHeader({ server, socket, info });
      if (result.rest.length > 0) socket.unshift(result.rest);
      listeners.handOver(socket);
    });
  };
}
