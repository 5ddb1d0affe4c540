// `node:diagnostics_channel` publication (STYLE.md §11): observing costs nothing when nobody
// subscribes — callers check `hasSubscribers` before building a payload.
import { channel } from 'node:diagnostics_channel';
import type { Server, Socket } from 'node:net';
import type { RejectEvent } from './policy.js';
import type { ProxyInfo } from './socket-info.js';

export const DIAGNOSTICS_CHANNELS = {
  /** A connection was refused; the message is a `RejectEvent`. */
  reject: 'truehop:node:reject',
  /** A header was accepted (before the socket is handed to the server); a `HeaderEvent`. */
  header: 'truehop:node:header',
} as const;

export interface HeaderEvent {
  server: Server;
  /** The raw socket, already reporting the advertised addresses. */
  socket: Socket;
  info: ProxyInfo;
}

export const rejectChannel = channel(DIAGNOSTICS_CHANNELS.reject);
export const headerChannel = channel(DIAGNOSTICS_CHANNELS.header);

export function publishReject(event: RejectEvent): void {
  rejectChannel.publish(event);
}

export function publishHeader(event: HeaderEvent): void {
  headerChannel.publish(event);
}
