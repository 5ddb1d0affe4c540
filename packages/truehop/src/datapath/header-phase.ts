// The PROXY header phase of a session on an `accept-proxy` bind (or after `tcp-request
// connection expect-proxy`): the incremental decoder, the time limit for a whole header, and
// the report of a refused header (counters, event, connection-error log line). The session
// feeds it bytes; it answers with the decoder's step or the codec's error code.
import {
  ProxyHeaderDecoder,
  isProxyProtocolError,
  type DecoderStep,
  type ProxyErrorCode,
} from '@truehop/proxy-protocol';
import type { SessionContext } from '../model/session.js';
import { countRejection } from '../observe/counters.js';
import { CAPTURED_BYTES } from '../observe/proxy-stats.js';
import { headerRejectedChannel } from '../observe/events.js';
import { TRAFFIC_LOG_LEVEL } from '../observe/syslog-format.js';
import { formatConnectionErrorLog } from '../observe/tcplog.js';
import { HAPROXY_ERROR_NAME } from '../model/connection-errors.js';
import type { BindRuntime, RuntimeFrontend } from './frontend.js';

export class HeaderPhase {
  readonly kind = 'header';
  private readonly decoder = new ProxyHeaderDecoder();
  /** The first chunk received and the byte count so far: what `show errors` shows of a refused header. */
  firstChunk: Buffer | null = null;
  received = 0;

  private constructor(private timer: NodeJS.Timeout | null) {}

  /**
   * §4.10 / §2.6: a header that does not arrive within `timeoutMs` is a slowloris, not a
   * client: `onTimeout(owner)` is called then (0 = no limit).
   */
  static start<T>(timeoutMs: number, onTimeout: (owner: T) => void, owner: T): HeaderPhase {
    return new HeaderPhase(timeoutMs > 0 ? setTimeout(onTimeout, timeoutMs, owner) : null);
  }

  /** The decoder's step for `chunk`, or the code of the error that refuses the header. */
  push(chunk: Buffer): DecoderStep | ProxyErrorCode {
    this.firstChunk ??= chunk;
    this.received += chunk.length;
    try {
      return this.decoder.push(chunk);
    } catch (err) {
      return isProxyProtocolError(err) ? err.code : 'BAD_HDR';
    }
  }

  /** EOF inside or before the header: TRUNCATED or EMPTY (§4.16). */
  endOfInput(): ProxyErrorCode {
    try {
      this.decoder.end();
    } catch (err) {
      if (isProxyProtocolError(err)) return err.code;
    }
    return 'TRUNCATED';
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
  frontend.stats.ereq++;
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
