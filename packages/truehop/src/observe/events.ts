// Observation costs nothing when nobody listens (STYLE.md example 11): every event has one
// named channel on node:diagnostics_channel, and publishers check `hasSubscribers` before
// they build a payload, so the data path allocates nothing for observability by default.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { SessionContext } from '../model/session.js';

/** Channel names are part of the public contract: tools subscribe to them by name. */
export const CHANNEL_NAMES = {
  sessionStart: 'truehop:session:start',
  sessionEnd: 'truehop:session:end',
  headerRejected: 'truehop:header:rejected',
  serverConnectError: 'truehop:server:connect-error',
} as const;

export const sessionStartChannel = diagnosticsChannel.channel(CHANNEL_NAMES.sessionStart);
export const sessionEndChannel = diagnosticsChannel.channel(CHANNEL_NAMES.sessionEnd);
export const headerRejectedChannel = diagnosticsChannel.channel(CHANNEL_NAMES.headerRejected);
export const serverConnectErrorChannel = diagnosticsChannel.channel(CHANNEL_NAMES.serverConnectError);

export interface SessionEvent {
  ctx: SessionContext;
}

export interface HeaderRejectedEvent {
  ctx: SessionContext;
  /** HAProxy's fc_err_name (PRX_*). */
  errorName: string;
  /** The codec's own, finer code (e.g. CRC_MISMATCH), when the codec raised it. */
  codecCode: string | null;
}

export interface ServerConnectErrorEvent {
  ctx: SessionContext;
  backend: string;
  server: string;
  error: string;
  attempt: number;
}
