// One PROXY-header reading mechanism, in two layers:
//
// - `HeaderReader` works on chunks, whoever reads them (a 'data' handler, a 'readable' loop,
//   a test): feed it with `push(chunk)` until it answers, or tell it the stream ended. It owns
//   the decoder with its caps, the "plain client" decision and the hand-back of the bytes read,
//   and the mapping of everything that can go wrong to a typed rejection. No timer, no socket.
// - `readHeader(socket, …)` drives a HeaderReader off a fresh socket with the header timeout:
//   it gives the socket back exactly as if the header had never been there once the caller
//   `unshift`s what it returns (the bytes after the header, or the plain client's bytes).
//
// The bytes are pulled with `'readable'` + `read()` rather than a `'data'` listener: that
// never switches the stream to flowing mode, so when the listener is removed Node puts the
// stream back to its initial state (`readableFlowing` null) on the next tick and the next
// owner (http's parser, a TLSSocket, an http2 session, the app's own 'data' listener, even one
// attached much later) receives every byte. With 'data' + pause() the stream would stay
// explicitly paused and a late consumer would never see the data.
import { ProxyHeaderDecoder } from '@truehop/proxy-protocol';
import type { ProxyHeader, ProxyProtocolError } from '@truehop/proxy-protocol';
import type { Socket } from 'node:net';
import { asRejection, rejection } from './errors.js';

/**
 * What a HeaderReader needs: the caps and whether a plain client is acceptable. `AllowPlain`
 * carries that choice into the result type: a reader made with `allowPlain: false` (the
 * daemon's `accept-proxy`) never answers 'plain', and its callers need no branch for it.
 */
export interface HeaderReaderOptions<AllowPlain extends boolean = boolean> {
  /** Cap on a v2 header (16 + len); v1 keeps the spec's 107 bytes (§1.2). */
  maxHeaderBytes: number;
  /**
   * true: a first byte that cannot start a header (the decoder's 'not-proxy', decided on the
   * first byte or two, §2.6) means a plain client, handed over with its bytes intact.
   * false: it is refused with NOT_HDR (HAProxy `accept-proxy`, §4.1).
   */
  allowPlain: AllowPlain;
}

export interface ReadHeaderOptions extends HeaderReaderOptions {
  /**
   * Time allowed for the whole header from now (§2.6, §4.10); 0: no timer, the caller bounds
   * the wait itself. @truehop/node's policy never allows 0 (slowloris).
   */
  timeoutMs: number;
}

export type ReadHeaderResult =
  | { kind: 'header'; header: ProxyHeader; length: number; rest: Buffer }
  | { kind: 'plain'; replay: Buffer[] }
  | { kind: 'reject'; error: ProxyProtocolError };

/** The answers a reader made with `allowPlain: AllowPlain` can give. */
export type HeaderReaderResult<AllowPlain extends boolean> = AllowPlain extends false
  ? Exclude<ReadHeaderResult, { kind: 'plain' }>
  : ReadHeaderResult;

const NOT_HDR_MESSAGE = 'the connection does not start with a PROXY header';

/**
 * The chunk-level reader: one per connection, one object plus the decoder's. Answers each
 * `push` with `undefined` (need more bytes) or the result; after a result it must not be fed
 * again. Allocates nothing per chunk beyond the decoder's step (a header's `rest` is a view).
 */
export class HeaderReader<AllowPlain extends boolean = boolean> {
  readonly #decoder: ProxyHeaderDecoder;
  // Chunks kept (by reference, not copied) only while a plain client is still possible, to
  // give them back intact if the decoder says 'not-proxy'. Bounded: the decoder refuses more
  // than maxHeaderBytes (TOO_LARGE) before this can grow past a few chunks.
  readonly #replay: Buffer[] | null;

  constructor(options: HeaderReaderOptions<AllowPlain>) {
    // The options are the decoder's too (maxHeaderBytes): no copy made per connection.
    this.#decoder = new ProxyHeaderDecoder(options);
    this.#replay = options.allowPlain ? [] : null;
  }

  /** Bytes held while waiting for the rest of a header. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  push(chunk: Buffer): HeaderReaderResult<AllowPlain> | undefined {
    let step;
    try {
      step = this.#decoder.push(chunk);
    } catch (error) {
      return { kind: 'reject', error: asRejection(error) };
    }
    if (step.status === 'incomplete') {
      this.#replay?.push(chunk);
      return undefined;
    }
    if (step.status === 'not-proxy') {
      const replay = this.#replay;
      if (replay === null) return { kind: 'reject', error: rejection('NOT_HDR', NOT_HDR_MESSAGE) };
      replay.push(chunk);
      // A replay list exists only when the options said allowPlain: true, where 'plain' is
      // one of HeaderReaderResult's answers; TypeScript cannot follow that through the field.
      return { kind: 'plain', replay } as HeaderReaderResult<AllowPlain>;
    }
    return { kind: 'header', header: step.header, length: step.length, rest: step.rest };
  }

  /**
   * The peer half-closed before a full header: EMPTY if it sent nothing (HAProxy PRX_EMPTY),
   * TRUNCATED if it stopped inside a header (§2.6: never use a partial header).
   */
  end(): ReadHeaderResult & { kind: 'reject' } {
    let error: ProxyProtocolError;
    try {
      this.#decoder.end();
      error = rejection('TRUNCATED', 'the connection ended inside the PROXY header');
    } catch (thrown) {
      error = asRejection(thrown);
    }
    return { kind: 'reject', error };
  }
}

/**
 * Calls `done` exactly once: with the header, with `plain`, or with the reason to refuse.
 * It never destroys the socket or unshifts anything itself: the caller decides (a header
 * from an untrusted peer is complete and valid yet still refused). All its listeners and its
 * timer are gone by the time `done` runs.
 */
export function readHeader(socket: Socket, options: ReadHeaderOptions, done: (result: ReadHeaderResult) => void): void {
  const reader = new HeaderReader(options);
  let finished = false;

  let timer: NodeJS.Timeout | undefined;
  if (options.timeoutMs > 0) {
    timer = setTimeout(onTimeout, options.timeoutMs);
    // The socket, not this timer, keeps the process alive; an unref'd timer lets a process
    // whose server is closing exit without waiting for the header timeout of a silent peer.
    timer.unref();
  }

  socket.on('readable', onReadable);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('close', onClose);

  function finish(result: ReadHeaderResult): void {
    if (finished) return;
    finished = true;
    if (timer !== undefined) clearTimeout(timer);
    socket.removeListener('readable', onReadable);
    socket.removeListener('end', onEnd);
    socket.removeListener('error', onError);
    socket.removeListener('close', onClose);
    done(result);
  }

  function onReadable(): void {
    // Bounded: each read() drains the socket's buffer; once `finished`, the remaining buffered
    // chunks stay in the socket, behind the unshifted `rest`, in order.
    let chunk: Buffer | null;
    while (!finished && (chunk = socket.read() as Buffer | null) !== null) {
      const result = reader.push(chunk);
      if (result !== undefined) finish(result);
    }
  }

  function onEnd(): void {
    finish(reader.end());
  }

  function onError(cause: Error): void {
    finish({ kind: 'reject', error: rejection('ABORT', 'the connection failed while the PROXY header was being read', cause) });
  }

  function onClose(): void {
    // Closed without 'end' or 'error' (destroyed locally, e.g. by server.closeAllConnections()).
    finish({ kind: 'reject', error: rejection('ABORT', 'the connection closed while the PROXY header was being read') });
  }

  function onTimeout(): void {
    finish({ kind: 'reject', error: rejection('TIMEOUT', `no complete PROXY header within ${options.timeoutMs} ms`) });
  }
}
