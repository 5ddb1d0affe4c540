// Reads one PROXY header off a fresh socket, before anything else touches it, and gives the
// socket back exactly as if the header had never been there: the bytes after the header are
// `unshift`ed in front of whatever is still buffered, in order, whatever the segmentation.
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

export interface ReadHeaderOptions {
  /** Cap on a v2 header (16 + len); v1 keeps the spec's 107 bytes (§1.2). */
  maxHeaderBytes: number;
  /** Time allowed for the whole header from now (§2.6, §4.10). */
  timeoutMs: number;
  /**
   * true: a first byte that cannot start a header (the decoder's 'not-proxy', decided on the
   * first byte or two, §2.6) means a plain client, handed over with its bytes intact.
   * false: it is refused with NOT_HDR (HAProxy `accept-proxy`, §4.1).
   */
  allowPlain: boolean;
}

export type ReadHeaderResult =
  | { kind: 'header'; header: ProxyHeader; length: number; rest: Buffer }
  | { kind: 'plain'; replay: Buffer[] }
  | { kind: 'reject'; error: ProxyProtocolError };

/**
 * Calls `done` exactly once: with the header, with `plain`, or with the reason to refuse.
 * It never destroys the socket or unshifts anything itself: the caller decides (a header
 * from an untrusted peer is complete and valid yet still refused). All its listeners and its
 * timer are gone by the time `done` runs.
 */
export function readHeader(socket: Socket, options: ReadHeaderOptions, done: (result: ReadHeaderResult) => void): void {
  const decoder = new ProxyHeaderDecoder({ maxHeaderBytes: options.maxHeaderBytes });
  // Chunks kept (by reference, not copied) only while a plain client is still possible, to
  // give them back intact if the decoder says 'not-proxy'. Bounded: the decoder refuses more
  // than maxHeaderBytes (TOO_LARGE) before this can grow past a few chunks.
  const replay: Buffer[] | null = options.allowPlain ? [] : null;
  let finished = false;

  const timer = setTimeout(onTimeout, options.timeoutMs);
  // The socket, not this timer, keeps the process alive; an unref'd timer lets a process whose
  // server is closing exit without waiting for the header timeout of a silent peer.
  timer.unref();

  socket.on('readable', onReadable);
  socket.on('end', onEnd);
  socket.on('error', onError);
  socket.on('close', onClose);

  function finish(result: ReadHeaderResult): void {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
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
      let step;
      try {
        step = decoder.push(chunk);
      } catch (error) {
        finish({ kind: 'reject', error: asRejection(error) });
        return;
      }
      if (step.status === 'incomplete') {
        replay?.push(chunk);
        continue;
      }
      if (step.status === 'not-proxy') {
        if (replay === null) {
          finish({ kind: 'reject', error: rejection('NOT_HDR', 'the connection does not start with a PROXY header') });
        } else {
          replay.push(chunk);
          finish({ kind: 'plain', replay });
        }
        return;
      }
      finish({ kind: 'header', header: step.header, length: step.length, rest: step.rest });
    }
  }

  function onEnd(): void {
    // The peer half-closed before a full header: EMPTY if it sent nothing (HAProxy PRX_EMPTY),
    // TRUNCATED if it stopped inside a header. decoder.end() tells the two apart.
    let error: ProxyProtocolError;
    try {
      decoder.end();
      error = rejection('TRUNCATED', 'the connection ended inside the PROXY header');
    } catch (thrown) {
      error = asRejection(thrown);
    }
    finish({ kind: 'reject', error });
  }

  function onError(cause: Error): void {
    finish({ kind: 'reject', error: rejection('ABORT', 'the connection failed while the PROXY header was being read', cause) });
  }

  function onClose(): void {
    // Closed without 'end' or 'error' (destroyed locally, e.g. by server.closeAllConnections()).
    finish({ kind: 'reject', error: rejection('ABORT', 'the connection closed while the PROXY header was being read') });
  }

  function onTimeout(): void {
    finish({
      kind: 'reject',
      error: rejection('TIMEOUT', `no complete PROXY header within ${options.timeoutMs} ms`),
    });
  }
}
