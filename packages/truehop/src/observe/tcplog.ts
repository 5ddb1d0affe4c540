// HAProxy's per-connection log lines, rebuilt from the session context:
// - `option tcplog`: `%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq`
//   (HAProxy doc/configuration.txt §8.2.2), followed — beyond HAProxy — by ` proxy=<ip>:<port>`
//   naming the peer that sent the PROXY header, when one was received. %ci/%cp are the
//   advertised client (§4.1); without the suffix the proxy hop would be invisible in logs.
// - connection errors before a session exists (HAProxy's "embryonic" log):
//   `%ci:%cp [%t] %ft/<bind>: <error text>`, followed by ` [<PRX_* name>]` so logs are grep-able
//   by code (§4.16).
import { connectionError } from '../model/connection-errors.js';
import type { SessionContext } from '../model/session.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** HAProxy's `%t` date: `27/Nov/2026:12:00:00.123`, local time. */
export function formatLogDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getDate(), 2)}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}


export interface QueueSizes {
  server: number;
  backend: number;
}

export function formatTcpLog(ctx: SessionContext, queues: QueueSizes): string {
  const client = ctx.client ?? ctx.realClient;
  const s = ctx.stats;
  let line =
    `${client.address}:${client.port} [${formatLogDate(ctx.acceptedAtMs)}] ${ctx.frontendName} ` +
    `${ctx.backendName ?? ctx.frontendName}/${ctx.serverName ?? '<NOSRV>'} ` +
    `${s.queueMs}/${s.connectMs}/${s.totalMs} ${s.bytesToClient} ${s.terminationState} ` +
    `${s.activeConns}/${s.frontendConns}/${s.backendConns}/${s.serverConns}/${s.redispatched ? '+' : ''}${s.retries} ` +
    `${queues.server}/${queues.backend}`;
  if (ctx.proxyHeader !== null) line += ` proxy=${ctx.realClient.address}:${ctx.realClient.port}`;
  return line;
}

export function formatConnectionErrorLog(ctx: SessionContext, bindLabel: string, errorName: string, detail: string | null): string {
  const text = connectionError(errorName)?.text ?? errorName;
  const peer = ctx.realClient;
  return `${peer.address}:${peer.port} [${formatLogDate(ctx.acceptedAtMs)}] ${ctx.frontendName}/${bindLabel}: ${text} [${errorName}${detail ? ` ${detail}` : ''}]`;
}
