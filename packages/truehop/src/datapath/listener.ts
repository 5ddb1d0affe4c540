// Listening sockets for every `bind` line and admission of accepted connections through the
// `maxconn` gates (global, then frontend). The listening socket is a net.Server; its accepted
// connections come on the process's transport (transport/transport.ts: bare libuv handles on
// the raw transport, net.Sockets otherwise). Either way they start paused (raw connections
// always do, sockets through pauseOnConnect): nothing is read until a session owns the
// connection, so one waiting for a slot costs no buffer and cannot push bytes at us.
import net from 'node:net';
import type { BindModel } from '../model/config-model.js';
import { createSessionContext, socketEndpoint } from '../model/session-context.js';
import { ClientSession } from './client-session.js';
import type { BindRuntime, RuntimeFrontend } from './frontend.js';
import type { Conn } from './transport/conn.js';
import { acceptInto } from './transport/transport.js';

/** Backlog handed to listen(): the kernel queue of not-yet-accepted connections. */
export const LISTEN_BACKLOG = 1024;

function ignoreError(): void {}

/** HAProxy's `bind :80` / `*:80` is IPv4 any; `:::80` is IPv6 (dual-stack unless v6only). */
export function listenHost(bind: BindModel): string {
  if (bind.host === '' || bind.host === '*') return bind.v4v6 ? '::' : '0.0.0.0';
  return bind.host;
}

export function admit(frontend: RuntimeFrontend, bind: BindRuntime, socket: Conn): void {
  const shared = frontend.shared;
  shared.globalGate.active++;
  frontend.gate.active++;
  frontend.active++;
  if (frontend.active > frontend.stats.smax) frontend.stats.smax = frontend.active;
  socket.removeListener('error', ignoreError);
  const realClient = socketEndpoint(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
  const realLocal = socketEndpoint(socket.localAddress, socket.localPort, socket.localFamily);
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
    realClient, realLocal, frontendName: frontend.name, procVars: shared.procVars, acceptedAtMs: Date.now(), phase: 'connection',
  });
  new ClientSession(frontend, bind, socket, ctx).begin();
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
  }
}

export function onAccepted(frontend: RuntimeFrontend, bind: BindRuntime, socket: Conn): void {
  // A reset while waiting must not become an unhandled 'error'.
  socket.on('error', ignoreError);
  const shared = frontend.shared;
  frontend.stats.connTot++;
  frontend.stats.connRate.add(Date.now());
  if (frontend.waiting.length === 0 && shared.globalGate.available && frontend.gate.available) {
    admit(frontend, bind, socket);
    return;
  }
  if (frontend.waiting.length >= shared.waitingLimit) {
    shared.counters.acceptsDropped++;
    shared.reportAcceptDropped(`${frontend.name}/${bind.label}`);
    socket.destroy();
    return;
  }
  frontend.waiting.push({ socket, bind });
}

export interface BoundListener {
  readonly server: net.Server;
  readonly host: string;
  readonly port: number;
}

export function listen(frontend: RuntimeFrontend, bind: BindRuntime): Promise<BoundListener> {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const host = listenHost(bind.model);
    server.listen({ host, port: bind.model.port, ipv6Only: bind.model.v6only, backlog: LISTEN_BACKLOG }, () => {
      server.removeListener('error', onError);
      // After listen(), the only errors are accept() failures (EMFILE, ENFILE…): libuv has
      // already closed the pending connections by then, so the least we owe is to say so.
      server.on('error', (err: NodeJS.ErrnoException) => {
        frontend.shared.counters.acceptErrors++;
        frontend.shared.reportAcceptError(`${frontend.name}/${bind.label}`, err);
      });
      // A `mode http` service frontend hands its sockets to Node's HTTP server and a TLS bind wraps
      // them in TLSSockets: both need net.Sockets.
      acceptInto(server, (conn) => onAccepted(frontend, bind, conn), frontend.service === undefined && bind.tls === undefined);
      const addr = server.address() as net.AddressInfo;
      resolve({ server, host: addr.address, port: addr.port });
    });
  });
}
