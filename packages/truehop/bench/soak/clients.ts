// The soak's clients, one kind per behaviour worth surviving: short and long downloads, slow
// readers, uploads echoed back, slowloris (the request dribbled a byte at a time) and garbage
// sent to a PROXY-protocol listener. Each client ends with one outcome; a completed transfer
// is checked byte for byte (sha256 of what arrived against the pool's bytes).
import { performance } from 'node:perf_hooks';
import { Buffer } from 'node:buffer';
import net from 'node:net';
import { KIND_DOWNLOAD, KIND_ECHO, POOL_BYTES, digest, encodeRequest, payload, type Request } from './wire.js';

export const CLIENT_KINDS = ['short', 'long', 'slow', 'echo', 'slowloris', 'garbage'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export const OUTCOME = {
  /** Every byte arrived, sha256 matches, clean close. */
  OK: 'ok',
  /** The right number of bytes (or more) but not the right bytes: must never happen. */
  CORRUPTED: 'corrupted',
  /** Fewer bytes than asked, then a clean FIN: a client reading to EOF would not notice. */
  TRUNCATED_FIN: 'truncated-fin',
  /** Closed with a FIN before any byte arrived (no server, refused). */
  EMPTY_FIN: 'empty-fin',
  /** A reset or another socket error: the client saw it. */
  RESET: 'reset',
  /** Did not end within the client's own deadline. */
  HUNG: 'hung',
  /** Garbage sent to an accept-proxy listener was refused (closed): the expected end. */
  REJECTED: 'rejected',
} as const;
export type Outcome = (typeof OUTCOME)[keyof typeof OUTCOME];

export interface ClientResult {
  kind: ClientKind;
  id: number;
  outcome: Outcome;
  ms: number;
}

/** Sizes and pacing of each kind. */
const SHORT_MAX = 16 * 1024;
const LONG_SIZE = 1024 * 1024;
const SLOW_SIZE = 256 * 1024;
const ECHO_SIZE = 64 * 1024;
const SLOW_PAUSE_MS = 40;
const SLOWLORIS_BYTE_MS = 150;
/** A client gives up (HUNG) after this long: longer than every timeout in the soak config. */
export const CLIENT_DEADLINE_MS = 20_000;

function request(kind: ClientKind, id: number): Request {
  const size = kind === 'short' ? 1 + Math.floor(Math.random() * SHORT_MAX)
    : kind === 'long' ? LONG_SIZE
    : kind === 'slow' ? SLOW_SIZE
    : kind === 'echo' ? ECHO_SIZE
    : 512;
  const offset = Math.floor(Math.random() * (POOL_BYTES - size));
  return { id, kind: kind === 'echo' ? KIND_ECHO : KIND_DOWNLOAD, offset, size };
}

/** Runs one client of `kind` against `port` (the plain listener) or `proxyPort` (garbage). */
export function runClient(kind: ClientKind, id: number, port: number, proxyPort: number): Promise<ClientResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const r = request(kind, id);
    const c = net.connect(kind === 'garbage' ? proxyPort : port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let received = 0;
    let finished = false;
    let dribble: NodeJS.Timeout | null = null;
    const done = (outcome: Outcome): void => {
      if (finished) return;
      finished = true;
      clearTimeout(deadline);
      if (dribble !== null) clearInterval(dribble);
      c.destroy();
      resolve({ kind, id, outcome, ms: performance.now() - started });
    };
    const deadline = setTimeout(() => done(OUTCOME.HUNG), CLIENT_DEADLINE_MS);
    c.on('error', () => done(kind === 'garbage' ? OUTCOME.REJECTED : OUTCOME.RESET));
    c.on('connect', () => {
      if (kind === 'garbage') {
        // Not a PROXY header: random bytes, sometimes starting like one.
        const junk = Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)));
        if (Math.random() < 0.5) junk.write('PROXY TCP4 1.2.3', 0, 'latin1');
        c.write(junk);
        return;
      }
      const head = encodeRequest(r);
      if (kind === 'slowloris') {
        let i = 0;
        dribble = setInterval(() => {
          if (c.destroyed) return;
          c.write(head.subarray(i, i + 1));
          if (++i === head.length && dribble !== null) {
            clearInterval(dribble);
            dribble = null;
          }
        }, SLOWLORIS_BYTE_MS);
        return;
      }
      c.write(head);
      if (kind === 'echo') c.write(payload(r));
    });
    c.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      if (kind === 'slow') {
        c.pause();
        setTimeout(() => c.resume(), SLOW_PAUSE_MS);
      }
    });
    c.on('end', () => {
      if (kind === 'garbage') return done(OUTCOME.REJECTED);
      if (received === 0) return done(OUTCOME.EMPTY_FIN);
      if (received < r.size) return done(OUTCOME.TRUNCATED_FIN);
      const got = Buffer.concat(chunks, received);
      done(received === r.size && digest(got) === digest(payload(r)) ? OUTCOME.OK : OUTCOME.CORRUPTED);
    });
  });
}

/** The client mix: mostly short transfers, a few of every other kind. */
export function pickKind(): ClientKind {
  const x = Math.random();
  if (x < 0.88) return 'short';
  if (x < 0.89) return 'long';
  if (x < 0.91) return 'slow';
  if (x < 0.96) return 'echo';
  if (x < 0.97) return 'slowloris';
  return 'garbage';
}
