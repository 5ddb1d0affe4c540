// The PROXY header phase of a session on an `accept-proxy` bind (or after `tcp-request
// connection expect-proxy`): @truehop/node's HeaderReader (the one PROXY-header reader: the
// decoder with its caps, the refusal of a plain client, every failure as a typed code) plus
// the time limit for a whole header, and the report of a refused header (counters, event,
// connection-error log line). The session feeds it chunks, however its transport reads them.
import { Buffer } from 'node:buffer';
import { HeaderReader, type HeaderReaderResult } from '@truehop/node';
import { DEFAULT_MAX_V2_HEADER_BYTES, type ProxyErrorCode } from '@truehop/proxy-protocol';
import type { SessionContext } from '../model/session.js';
import { countRejection } from '../observe/counters.js';
import { CAPTURED_BYTES } from '../observe/proxy-stats.js';
import { headerRejectedChannel } from '../observe/events.js';
import { TRAFFIC_LOG_LEVEL } from '../observe/syslog-format.js';
import { formatConnectionErrorLog } from '../observe/tcplog.js';
import { HAPROXY_ERROR_NAME } from '../model/connection-errors.js';
import type { BindRuntime, RuntimeFrontend } from './frontend.js';

const READER_OPTIONS = {
  maxHeaderBytes: DEFAULT_MAX_V2_HEADER_BYTES,
  // §1.3, §6.7: a listener that requires a header never falls back to plain traffic (NOT_HDR);
  // otherwise any client could pose as its own proxy.
  allowPlain: false,
} as const;

/** One object per header-reading session: the reader itself, with the phase's tag and timer. */
export class HeaderPhase extends HeaderReader<false> {
  readonly kind = 'header';
  /** The first chunk received and the byte count so far: what `show errors` shows of a refused header. */
  firstChunk: Buffer | null = null;
  received = 0;

  private constructor(private timer: NodeJS.Timeout | null) {
    super(READER_OPTIONS);
  }

  /**
   * §4.10 / §2.6: a header that does not arrive within `timeoutMs` is a slowloris, not a
   * client: `onTimeout(owner)` is called then (0 = no limit).
   */
  static start<T>(timeoutMs: number, onTimeout: (owner: T) => void, owner: T): HeaderPhase {
    return new HeaderPhase(timeoutMs > 0 ? setTimeout(onTimeout, timeoutMs, owner) : null);
  }

  override push(chunk: Buffer): HeaderReaderResult<false> | undefined {
    this.firstChunk ??= chunk;
    this.received += chunk.length;
    return super.push(chunk);
  }

  stopTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Counts, publishes and logs a refused header under HAProxy's fc_err_name (§4.16); our finer
 * code, when it differs, goes in the log detail.
 */
export function reportHeaderRejection(
  frontend: RuntimeFrontend, bind: BindRuntime, ctx: SessionContext, codecCode: ProxyErrorCode, phase: HeaderPhase | null,
): void {
  const name = HAPROXY_ERROR_NAME[codecCode];
  ctx.errorCode = name;
  const shared = frontend.shared;
  shared.counters.headerRejections++;
  countRejection(shared.rejections, name);
  // A copy of at most CAPTURED_BYTES: the capture outlives the socket's buffer.
  const first = phase?.firstChunk;
  frontend.proxyProtocol.reject({
    reason: name,
    code: codecCode,
    peer: `${ctx.realClient.address}:${ctx.realClient.port}`,
    bind: bind.label,
    atMs: Date.now(),
    bytes: first == null ? Buffer.alloc(0) : Buffer.from(first.subarray(0, CAPTURED_BYTES)),
    total: phase?.received ?? 0,
  });
  if (headerRejectedChannel.hasSubscribers) headerRejectedChannel.publish({ ctx, errorName: name, codecCode });
  if (frontend.logs.enabled) {
    const fine = codecCode !== name.slice(4) ? codecCode : null;
    frontend.logs.send(formatConnectionErrorLog(ctx, bind.label, name, fine), TRAFFIC_LOG_LEVEL, Date.now());
  }
}
