// Per-proxy and per-server statistics with HAProxy's meanings (its `show stat` columns, see
// stats-columns.ts). One object per frontend, backend and server, created at load time; the
// data path increments plain numeric fields (no allocation, no lookup per event). What the data
// path already holds live (current sessions, queue length, weights, states) is not copied here:
// the snapshot (runtime/stats-snapshot.ts) reads it from the runtime objects when asked.

/**
 * Events per second over the last second, as HAProxy's freq_ctr: the count of the current
 * second plus the previous second's count weighted by the part of it still inside the window.
 * Two numbers and a second stamp; updated with the clock the caller already read.
 */
export class RateCounter {
  private second = 0;
  private current = 0;
  private previous = 0;
  /** Highest rate seen at an update (HAProxy's *_rate_max). */
  max = 0;

  add(nowMs: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (sec !== this.second) {
      this.previous = sec === this.second + 1 ? this.current : 0;
      this.current = 0;
      this.second = sec;
    }
    this.current++;
    const rate = this.read(nowMs);
    if (rate > this.max) this.max = rate;
  }

  read(nowMs: number): number {
    const sec = Math.floor(nowMs / 1000);
    if (sec === this.second) return this.current + Math.floor((this.previous * (1000 - (nowMs % 1000))) / 1000);
    if (sec === this.second + 1) return Math.floor((this.current * (1000 - (nowMs % 1000))) / 1000);
    return 0;
  }
}

/** Counters of one frontend (HAProxy fe_counters). */
export class FrontendStats {
  /** Sessions past the connection rules and the PROXY header (stot, cum_sess; HAProxy counts them there too). */
  stot = 0;
  /** Connections accepted, including those closed before becoming sessions (conn_tot). */
  connTot = 0;
  /** Highest concurrent sessions (smax). */
  smax = 0;
  /** Bytes from clients / to clients (bin / bout), added when a session ends. */
  bin = 0;
  bout = 0;
  /** Connections denied by `tcp-request connection` rules (dcon). */
  dcon = 0;
  /** Sessions denied by `tcp-request session` rules (dses). */
  dses = 0;
  /** Requests denied by `tcp-request content` rules (dreq). */
  dreq = 0;
  /** Request errors: sessions closed without a backend (ereq). A refused PROXY header is not one in HAProxy 2.6: see ProxyProtocolStats. */
  ereq = 0;
  /** Client aborts during the data phase (cli_abrt). */
  cliAbrt = 0;
  /** Sessions ended by an internal error, a bug caught while handling them (eint; %ts `I?`). */
  eint = 0;
  readonly sessRate = new RateCounter();
  readonly connRate = new RateCounter();
}

/** Counters a backend and each of its servers keep (HAProxy be_counters / srv counters). */
export class BackendStats {
  /** Sessions given a server of this backend / this server (stot; lbtot for the balancer's picks). */
  stot = 0;
  /** Times the balancer chose it (lbtot). */
  lbtot = 0;
  smax = 0;
  bin = 0;
  bout = 0;
  /** Failed connection attempts (econ). */
  econ = 0;
  /** Server aborts and errors during the data phase (eresp). */
  eresp = 0;
  /** Connection retries (wretr) and redispatches (wredis). */
  wretr = 0;
  wredis = 0;
  /** Highest queue length seen (qmax). */
  qmax = 0;
  cliAbrt = 0;
  srvAbrt = 0;
  /** Sessions of this backend / holding this server's slot that an internal error ended (eint). */
  eint = 0;
  /** ms since the epoch of the last session given to it; 0 = never (lastsess is -1 then). */
  lastSessMs = 0;
  readonly sessRate = new RateCounter();
}

/**
 * A header seen with these TLV types, counted per type (0-255): a fixed array indexed by the
 * type byte, so counting is one increment.
 */
export const TLV_TYPES = 256;

/**
 * Distinct upstream hops (source addresses that sent a PROXY header) kept per frontend. Every
 * peer address is attacker-chosen on an open listener: past this many, new addresses are only
 * counted in `otherHops`, so a scan cannot grow the table.
 */
export const MAX_UPSTREAM_HOPS = 64;

/** Rejected headers kept for `show errors` per frontend (a ring: the newest replace the oldest). */
export const MAX_CAPTURED_ERRORS = 16;

/** Bytes of a rejected header kept in a capture (enough for a v1 line or a v2 fixed part and its first TLVs). */
export const CAPTURED_BYTES = 64;

export interface CapturedError {
  /** HAProxy's name (PRX_*). */
  reason: string;
  /** The codec's finer code (BAD_TLV, CRC_MISMATCH …). */
  code: string;
  /** The real peer, address:port. */
  peer: string;
  bind: string;
  atMs: number;
  /** Bytes received before the rejection (at most CAPTURED_BYTES). */
  bytes: Buffer;
  /** Bytes received in total before the rejection (the capture may be shorter). */
  total: number;
}

/** PROXY-protocol counters of one frontend: beyond HAProxy, for "why does my NLB traffic fail". */
export class ProxyProtocolStats {
  v1 = 0;
  v2 = 0;
  /** By command: PROXY (a relayed client) and LOCAL (the proxy's own connection, a health check). */
  cmdProxy = 0;
  cmdLocal = 0;
  /** Rejections by HAProxy error name (PRX_*): a fixed set, so a plain record. */
  readonly rejections: Record<string, number> = {};
  /** Headers carrying each TLV type (index = type). */
  readonly tlvTypes = new Float64Array(TLV_TYPES);
  /** Headers per source address (bounded, see MAX_UPSTREAM_HOPS). */
  readonly hops = new Map<string, number>();
  otherHops = 0;
  /** Last rejected headers, oldest first once read (see captured()). */
  private readonly ring: (CapturedError | undefined)[] = new Array<CapturedError | undefined>(MAX_CAPTURED_ERRORS);
  private ringNext = 0;
  /** Rejections ever captured (show errors prints the total). */
  capturedTotal = 0;

  constructor(rejectionNames: readonly string[]) {
    for (const name of rejectionNames) this.rejections[name] = 0;
  }

  countHeader(version: 1 | 2, command: 'PROXY' | 'LOCAL', tlvTypes: readonly { type: number }[], source: string): void {
    if (version === 1) this.v1++;
    else this.v2++;
    if (command === 'PROXY') this.cmdProxy++;
    else this.cmdLocal++;
    const counts = this.tlvTypes;
    for (const t of tlvTypes) counts[t.type & 0xff] = (counts[t.type & 0xff] as number) + 1;
    const seen = this.hops.get(source);
    if (seen !== undefined) this.hops.set(source, seen + 1);
    else if (this.hops.size < MAX_UPSTREAM_HOPS) this.hops.set(source, 1);
    else this.otherHops++;
  }

  /** Counts a rejection and keeps it in the ring (the caller bounds `bytes` to CAPTURED_BYTES). */
  reject(error: CapturedError): void {
    this.rejections[error.reason] = (this.rejections[error.reason] ?? 0) + 1;
    this.ring[this.ringNext] = error;
    this.ringNext = (this.ringNext + 1) % MAX_CAPTURED_ERRORS;
    this.capturedTotal++;
  }

  /** The captured rejections, oldest first. */
  captured(): CapturedError[] {
    const out: CapturedError[] = [];
    for (let i = 0; i < MAX_CAPTURED_ERRORS; i++) {
      const e = this.ring[(this.ringNext + i) % MAX_CAPTURED_ERRORS];
      if (e !== undefined) out.push(e);
    }
    return out;
  }
}
