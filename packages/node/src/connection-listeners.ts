// Job: put the server's own 'connection' listeners behind the PROXY-header gate.
//
// Every net.Server hands a new socket to its 'connection' listeners; that is where http
// installs its parser, tls.Server wraps the socket in a TLSSocket, and http2 starts a session.
// The listeners are taken off the event into a list of our own and the gate is the only
// 'connection' listener left; once the header is read the gate calls them, in order, with the
// same socket (`this` the server). So nothing touches a socket before its header is read: for
// TLS, not even the handshake. Nothing is patched: the only visible change is that
// `server.listeners('connection')` shows the gate.
import type { Server, Socket } from 'node:net';

type ConnectionListener = (this: Server, socket: Socket) => unknown;

interface HeldListener {
  readonly fn: ConnectionListener;
  readonly once: boolean;
}

/**
 * The server's own 'connection' listeners, held behind a gate. `putBehind(gate)` makes `gate`
 * the only 'connection' listener; `handOver(socket)` then calls the held ones as the server
 * would have. Listeners added later are moved behind the gate too, in a microtask: that always
 * runs before the next connection can be emitted (accept is an I/O callback).
 */
export class HeldConnectionListeners {
  readonly #server: Server;
  readonly #held: HeldListener[] = [];
  #gate: ((socket: Socket) => void) | undefined;
  #adoptScheduled = false;

  constructor(server: Server) {
    this.#server = server;
  }

  putBehind(gate: (socket: Socket) => void): void {
    const server = this.#server;
    this.#gate = gate;
    this.#adopt();
    server.on('connection', gate);
    server.on('newListener', (event: string | symbol) => {
      if (event !== 'connection' || this.#adoptScheduled) return;
      this.#adoptScheduled = true;
      queueMicrotask(() => {
        this.#adoptScheduled = false;
        this.#adopt();
      });
    });
  }

  handOver(socket: Socket): void {
    const held = this.#held;
    const server = this.#server;
    if (held.length === 1 && !(held[0] as HeldListener).once) {
      // The usual case (one http/tls/http2 listener): no copy.
      (held[0] as HeldListener).fn.call(server, socket);
      return;
    }
    // A copy: a listener may add or remove listeners while we iterate (EventEmitter does the same).
    for (const listener of held.slice()) {
      if (listener.once) held.splice(held.indexOf(listener), 1);
      listener.fn.call(server, socket);
    }
  }

  #adopt(): void {
    const server = this.#server;
    for (const raw of server.rawListeners('connection')) {
      if (raw === this.#gate) continue;
      // `once` listeners are stored wrapped; the wrapper exposes the original as `.listener`.
      const original = (raw as { listener?: ConnectionListener }).listener;
      server.removeListener('connection', raw as ConnectionListener);
      this.#held.push(original === undefined ? { fn: raw as ConnectionListener, once: false } : { fn: original, once: true });
    }
  }
}
