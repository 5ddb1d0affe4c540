// Health observations on node:diagnostics_channel, free when nobody subscribes (STYLE.md
// example 11): the monitor checks `hasSubscribers` before building a payload. Channel names
// are a public contract, in the same `truehop:<area>:<event>` scheme as observe/events.ts.
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ServerStatus } from '../model/server-status.js';
import type { CheckResult } from './check-status.js';

export const HEALTH_CHANNEL_NAMES = {
  /** Every completed check: HealthCheckEvent. */
  check: 'truehop:health:check',
  /** Every UP/DOWN transition: HealthStateEvent. */
  state: 'truehop:health:state',
} as const;

export const healthCheckChannel = diagnosticsChannel.channel(HEALTH_CHANNEL_NAMES.check);
export const healthStateChannel = diagnosticsChannel.channel(HEALTH_CHANNEL_NAMES.state);

export interface HealthCheckEvent {
  backend: string;
  server: string;
  result: CheckResult;
  /** HAProxy's health counter after this result (0…rise+fall-1). */
  health: number;
}

export interface HealthStateEvent {
  backend: string;
  server: string;
  status: ServerStatus;
  result: CheckResult;
  /** The log line written for this transition. */
  line: string;
}
