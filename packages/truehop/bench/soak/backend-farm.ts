// The soak's servers: plain TCP servers speaking wire.ts, with faults injected per request
// (close early, reset, stall) and whole servers killed and restarted under the load
// balancer's health checks. The balancer's own log says when it marks a server DOWN and UP
// (`Server be/s1 is DOWN, …`, the same line in HAProxy and truehop); a request a server accepts
// between the two was delivered to a server its balancer had DOWN. The UP line reaches us
// through a pipe a little after the balancer acted on it, so a request accepted within
// UP_LINE_SLACK_MS of the line is given the benefit of the doubt.
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import net from 'node:net';
import { KIND_ECHO, REQUEST_BYTES, decodeRequest, payload, type Request } from './wire.js';

export const FAULT = {
  /** Half the payload, then a FIN. */
  CLOSE_EARLY: 'close-early',
  /** Half the payload, then a reset. */
  RESET: 'reset',
  /** Nothing at all: the load balancer's `timeout server` must end it. */
  STALL: 'stall',
  /** The server was killed with the transfer in flight (reset). */
  KILLED: 'killed',
} as const;
export type Fault = (typeof FAULT)[keyof typeof FAULT];

export interface FaultRates {
  closeEarly: number;
  reset: number;
  stall: number;
}

/** How late the balancer's UP line may reach us after it sent the first session (pipe, load). */
export const UP_LINE_SLACK_MS = 50;

class SoakServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  restarts = 0;
  requestsServed = 0;
  /** The balancer's log said DOWN and not UP since. */
  private lbDown = false;
  /** performance.now() at accept of requests while lbDown, until the UP line decides them. */
  private whileDown: number[] = [];
  downDeliveries = 0;

  constructor(
    readonly port: number,
    private readonly farm: BackendFarm,
  ) {}

  async start(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: false }, (s) => this.onConnection(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    server.on('error', () => {});
    this.server = server;
  }

  get up(): boolean {
    return this.server !== null;
  }

  /** Closes the listener and resets every connection, as a crashed process would. */
  kill(): void {
    this.server?.close();
    this.server = null;
    for (const s of this.sockets) {
      const id = (s as net.Socket & { soakId?: number }).soakId;
      if (id !== undefined) this.farm.faults.set(id, FAULT.KILLED);
      s.resetAndDestroy();
    }
    this.sockets.clear();
  }

  async restart(): Promise<void> {
    if (this.server !== null) return;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.start();
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.restarts++;
  }

  /** The balancer logged this server DOWN or UP. */
  balancerSays(up: boolean): void {
    if (!up) {
      this.lbDown = true;
      return;
    }
    const cutoff = performance.now() - UP_LINE_SLACK_MS;
    for (const t of this.whileDown) if (t < cutoff) this.downDeliveries++;
    this.whileDown = [];
    this.lbDown = false;
  }

  private onConnection(s: net.Socket): void {
    const acceptedAt = performance.now();
    this.sockets.add(s);
    s.on('error', () => {});
    let head: Buffer = Buffer.alloc(0);
    let request: Request | undefined;
    let echoed = 0;
    s.on('close', () => this.sockets.delete(s));
    s.on('data', (d: Buffer) => {
      if (request === undefined) {
        head = head.length === 0 ? d : Buffer.concat([head, d]);
        if (head.length < REQUEST_BYTES) return;
        request = decodeRequest(head);
        if (request === undefined) return s.destroy();
        (s as net.Socket & { soakId?: number }).soakId = request.id;
        if (this.lbDown) this.whileDown.push(acceptedAt);
        this.requestsServed++;
        const rest = head.subarray(REQUEST_BYTES);
        if (!this.serve(s, request)) return;
        d = rest;
        if (d.length === 0) return;
      }
      if (request.kind === KIND_ECHO) {
        echoed += d.length;
        s.write(d);
        if (echoed >= request.size) s.end();
      }
    });
  }

  /** Starts answering; false when a fault ends the exchange here. */
  private serve(s: net.Socket, r: Request): boolean {
    const fault = this.farm.pickFault();
    if (fault !== null) {
      this.farm.faults.set(r.id, fault);
      if (fault === FAULT.STALL) return false;
      const half = payload(r).subarray(0, r.size >> 1);
      s.write(half, () => {
        if (fault === FAULT.RESET) s.resetAndDestroy();
        else s.end();
      });
      return false;
    }
    if (r.kind !== KIND_ECHO) s.end(payload(r));
    return true;
  }
}

export class BackendFarm {
  readonly servers: SoakServer[];
  /** The fault injected into each transfer id that got one. */
  readonly faults = new Map<number, Fault>();

  private constructor(ports: number[], private readonly rates: FaultRates) {
    this.servers = ports.map((p) => new SoakServer(p, this));
  }

  static async start(ports: number[], rates: FaultRates): Promise<BackendFarm> {
    const farm = new BackendFarm(ports, rates);
    for (const s of farm.servers) await s.start();
    return farm;
  }

  pickFault(): Fault | null {
    const x = Math.random();
    const r = this.rates;
    if (x < r.closeEarly) return FAULT.CLOSE_EARLY;
    if (x < r.closeEarly + r.reset) return FAULT.RESET;
    if (x < r.closeEarly + r.reset + r.stall) return FAULT.STALL;
    return null;
  }

  /** Sessions delivered while the balancer had the server DOWN (decided at each UP line). */
  downDeliveries(): number {
    return this.servers.reduce((n, s) => n + s.downDeliveries, 0);
  }

  close(): void {
    for (const s of this.servers) s.kill();
  }
}
