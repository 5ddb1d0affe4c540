// Listening sockets for every `bind` line and admission of accepted connections through the
// `maxconn` gates (global, then frontend). The listening socket is a net.Server; its accepted
// connections come on the process's transport (transport/transport.ts: bare libuv handles on
// the raw transport, net.Sockets otherwise). Either way they start paused (raw connections
// always do, sockets through pauseOnConnect): nothing is read until a session owns the
// connection, so one waiting for a slot costs no buffer and cannot push bytes at us.
import net from 'node:net';
import type { BindModel } from '../model/config-model.js';
import { createSessionContext } from '../model/session-context.js';
import { ClientSession } from './client-session.js';
import type { BindRuntime, RuntimeFrontend } from './frontend.js';
import type { Conn } from './transport/conn.js';
import { acceptInto, localEndpoint, peerEndpoint, rawTlsRuns, socketOf } from './transport/transport.js';
import { acceptSwitch } from './accept-switch.js';

/** Backlog handed to listen(): the kernel queue of not-yet-accepted connections. */
export const LISTEN_BACKLOG = 1024;

function ignoreError(): void {}

/** HAProxy's `bind :80` / `*:80` is IPv4 any; `:::80` is IPv6 (dual-stack unless v6only). */
export function listenHost(bind: BindModel): string {
  if (bind.host === '' || bind.host === '*') return bind.v4v6 ? '::' : '0.0.0.0';
  return bind.host;
}

/** `nowMs`: Date.now() at accept, read once for the rate counter and the session's accept time. */
export function admit(frontend: RuntimeFrontend, bind: BindRuntime, socket: Conn, nowMs: number = Date.now()): void {
  const shared = frontend.shared;
  shared.globalGate.active++;
  frontend.gate.active++;
  frontend.active++;
  if (frontend.active > frontend.stats.smax) frontend.stats.smax = frontend.active;
  if (socketOf(socket) !== null) socket.removeListener('error', ignoreError);
  const realClient = peerEndpoint(socket);
  const realLocal = localEndpoint(socket);
  if (realClient === null || realLocal === null) {
    // Reset between accept and now: nothing to serve, but the slots were taken.
    socket.destroy();
    shared.globalGate.active--;
    frontend.gate.active--;
    frontend.active--;
    shared.admitWaiting();
    return;
  }
  const ctx = createSessionContext({
    realClient, realLocal, frontendName: frontend.name, procVars: shared.procVars, acceptedAtMs: nowMs, phase: 'connection',
  });
  const session = new ClientSession(frontend, bind, socket, ctx);
  // Accept callbacks and other sessions' ends (admitWaiting) start sessions: an exception of
  // this one ends it alone (internal-error.ts).
  try {
    session.begin();
  } catch (err) {
    session.onInternalError(err);
  }
}

/** Admits waiting connections of `frontends`, oldest first, while the gates allow. */
export function admitWaiting(frontends: Iterable<RuntimeFrontend>): void {
  for (const fe of frontends) {
    let taken = 0;
    while (taken < fe.waiting.length && fe.shared.globalGate.available && fe.gate.available) {
      const w = fe.waiting[taken++];
      if (w === undefined || w.socket.destroyed) continue;
      admit(fe, w.bind, w.socket);
    }
    if (taken > 0) fe.waiting.splice(0, taken);
    // Slots free and nobody waiting accepted: the kernel's queue is next.
    if (fe.accepts.paused && fe.waiting.length === 0 && fe.shared.globalGate.available && fe.gate.available) fe.accepts.resume();
  }
}

export function onAccepted(frontend: RuntimeFrontend, bind: BindRuntime, socket: Conn): void {
  // A reset while waiting must not become an unhandled 'error' (a net.Socket would throw it; a
  // raw connection without a handler drops its errors, and a listener would cost it a table).
  if (socketOf(socket) !== null) socket.on('error', ignoreError);
  const shared = frontend.shared;
  frontend.stats.connTot++;
  const nowMs = Date.now();
  frontend.stats.connRate.add(nowMs);
  if (frontend.waiting.length === 0 && shared.globalGate.available && frontend.gate.available) {
    admit(frontend, bind, socket, nowMs);
    return;
  }
  if (frontend.waiting.length >= shared.waitingLimit) {
    shared.counters.acceptsDropped++;
    shared.reportAcceptDropped(`${frontend.name}/${bind.label}`);
    socket.destroy();
    return;
  }
  frontend.waiting.push({ socket, bind });
  // Full: stop accepting (HAProxy's paused listener); the next ones wait in the kernel's queue.
  if (frontend.accepts.pause()) shared.counters.listenerPauses++;
}

export interface BoundListener {
  readonly server: net.Server;
  readonly host: string;
  readonly port: number;
}

/**
 * Gives back a second descriptor of `server`'s listening socket as a handle libuv can pause (see
 * accept-switch.ts), or null when it cannot; the single process passes one (process/listening-copy.ts).
 */
export type ListeningCopier = (server: net.Server) => Promise<object | null>;

export async function listen(frontend: RuntimeFrontend, bind: BindRuntime, copier?: ListeningCopier): Promise<BoundListener> {
  const host = listenHost(bind.model);
  let server = await serveOn(frontend, bind, { host, port: bind.model.port, ipv6Only: bind.model.v6only, backlog: LISTEN_BACKLOG });
  const copy = copier === undefined ? null : await copier(server);
  if (copy !== null) {
    // The copy keeps the socket (and its accept queue) open: the first descriptor can go. What
    // it accepted meanwhile was served like any other connection.
    const first = server;
    server = await serveOn(frontend, bind, copy);
    first.close();
  }
  frontend.accepts.add(acceptSwitch(server));
  const addr = server.address() as net.AddressInfo;
  return { server, host: addr.address, port: addr.port };
}

/** A listening net.Server whose accepted connections go to `onAccepted`. */
function serveOn(frontend: RuntimeFrontend, bind: BindRuntime, target: net.ListenOptions | object): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const onListening = (): void => {
      server.removeListener('error', onError);
      // After listen(), the only errors are accept() failures (EMFILE, ENFILE…): libuv has
      // already closed the pending connections by then, so the least we owe is to say so.
      server.on('error', (err: NodeJS.ErrnoException) => {
        frontend.shared.counters.acceptErrors++;
        frontend.shared.reportAcceptError(`${frontend.name}/${bind.label}`, err);
      });
      // A `mode http` service frontend hands its sockets to Node's HTTP server, and a TLS bind
      // wraps them in TLSSockets unless raw TLS runs (TLSWrap on the raw handle): those need
      // net.Sockets.
      acceptInto(server, (conn) => onAccepted(frontend, bind, conn), frontend.service === undefined && (bind.tls === undefined || rawTlsRuns()));
      resolve(server);
    };
    // A received handle is listened on as it is (same backlog); listen options bind a new socket.
    if ('port' in target) server.listen(target, onListening);
    else server.listen(target, LISTEN_BACKLOG, onListening);
  });
}
