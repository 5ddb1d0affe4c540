// Job: refuse one connection — close it, count it, tell whoever listens.
import process from 'node:process';
import type { Server, Socket } from 'node:net';
import type { ProxyProtocolError } from '@truehop/proxy-protocol';
import { publishReject, rejectChannel } from './diagnostics.js';
import type { Policy, RejectEvent } from './policy.js';
import type { ProxyStats } from './stats.js';

/** The real TCP peer, read before any accessor can shadow it. */
export type Peer = RejectEvent['peer'];

export function refuse(server: Server, policy: Policy, stats: ProxyStats, socket: Socket, peer: Peer, error: ProxyProtocolError): void {
  // Only this connection: never the listener, never the process (§4.1 closes the connection).
  socket.destroy();
  stats.rejected++;
  stats.rejectedBy[error.code]++;
  const hook = policy.onReject;
  if (hook === null && !rejectChannel.hasSubscribers) return;
  const event: RejectEvent = { server, code: error.code, error, peer };
  if (rejectChannel.hasSubscribers) publishReject(event);
  if (hook !== null) {
    try {
      hook(event);
    } catch (hookError) {
      // An observer's bug must not take the listener down with it; make it loud instead.
      process.emitWarning(
        `acceptProxyProtocol: onReject threw: ${hookError instanceof Error ? hookError.message : String(hookError)}`,
        { code: 'TRUEHOP_ON_REJECT_THREW' },
      );
    }
  }
}
