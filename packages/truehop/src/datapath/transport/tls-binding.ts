// The one place that reaches Node's TLS stream binding (`process.binding('tls_wrap')`): OpenSSL's
// TLSWrap, the native stream node:tls puts inside every TLSSocket, used here directly over an
// accepted libuv TCP handle (raw-tls.ts) so a TLS connection costs no net.Socket and no
// TLSSocket. Like libuv.ts these are Node internals: typed views of exactly what raw-tls.ts
// uses, checked for presence here and for behaviour by the start-up self-test (self-test.ts).
import process from 'node:process';
import type { TcpHandle, WriteReq, ShutdownReq } from './libuv.js';

/** OpenSSL's cipher answer as TLSWrap gives it (the same object TLSSocket.getCipher returns). */
export interface TlsCipher {
  name: string;
  standardName?: string;
  version?: string;
}

/** A TLSWrap over a TCP handle, as far as raw-tls.ts uses it. */
export interface TlsWrapHandle {
  /** Decrypted reads, EOF or errors (streamBaseState says which); `this` is the TLSWrap. */
  onread: ((this: TlsWrapHandle, arrayBuffer: ArrayBuffer | undefined) => void) | null;
  /** Every handshake start (the first, and each renegotiation the client asks for). */
  onhandshakestart: ((this: TlsWrapHandle, now: number) => void) | null;
  onhandshakedone: ((this: TlsWrapHandle) => void) | null;
  onerror: ((this: TlsWrapHandle, err: Error & { code?: string }) => void) | null;
  /** Called by TLSWrap only once enabled; set to no-ops so a stray call never throws. */
  onnewsession: (() => void) | null;
  onkeylog: (() => void) | null;
  onclienthello: (() => void) | null;
  oncertcb: (() => void) | null;
  onocspresponse: (() => void) | null;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: WriteReq, buf: Uint8Array): number;
  shutdown(req: ShutdownReq): number;
  /** Feeds bytes already read from the TCP handle (the ClientHello) to OpenSSL, as received. */
  receive(buf: Uint8Array): void;
  setVerifyMode(requestCert: boolean, rejectUnauthorized: boolean): void;
  setALPNProtocols(protocols: Uint8Array): void;
  getALPNNegotiatedProtocol(): string | false | undefined;
  getServername(): string | false | undefined;
  getProtocol(): string | null | undefined;
  getCipher(): TlsCipher | undefined;
  /** The peer certificate in node:tls's legacy shape; `raw` is its DER. */
  getPeerCertificate(detailed?: boolean): { raw?: Buffer } | null | undefined;
  verifyError(): (Error & { code?: string }) | null | undefined;
  isSessionReused(): boolean;
  destroySSL(): void;
}

export interface TlsWrapBinding {
  /** tls_wrap.wrap(handle, nativeContext, isServer, hasActiveWriteFromPrevOwner). */
  wrap(handle: TcpHandle, context: unknown, isServer: boolean, hasActiveWrite: boolean): TlsWrapHandle;
  /** stream_wrap's slot holding where in the ArrayBuffer a TLSWrap read starts. */
  readonly kArrayBufferOffset: number;
}

interface Binder {
  binding?: (name: string) => unknown;
}

const TLSWRAP_METHODS = [
  'readStart', 'readStop', 'writeBuffer', 'shutdown', 'receive', 'setVerifyMode', 'setALPNProtocols',
  'getALPNNegotiatedProtocol', 'getServername', 'getProtocol', 'getCipher', 'getPeerCertificate', 'verifyError',
  'isSessionReused', 'destroySSL',
] as const;

/** The binding, or a sentence saying what is missing (presence only; the self-test checks behaviour). */
export function loadTlsWrapBinding(): TlsWrapBinding | string {
  const binder = process as unknown as Binder;
  if (typeof binder.binding !== 'function') return 'process.binding is not available';
  let tlsWrap: unknown;
  try {
    tlsWrap = binder.binding('tls_wrap');
  } catch (err) {
    return `process.binding('tls_wrap') refused: ${err instanceof Error ? err.message : String(err)}`;
  }
  const b = tlsWrap as { wrap?: unknown; TLSWrap?: { prototype?: Record<string, unknown> } } | null;
  if (b === null || typeof b !== 'object' || typeof b.wrap !== 'function') return 'tls_wrap lacks wrap()';
  const proto = b.TLSWrap?.prototype;
  if (proto === undefined) return 'tls_wrap lacks TLSWrap';
  const missing = TLSWRAP_METHODS.filter((m) => typeof proto[m] !== 'function');
  if (missing.length > 0) return `TLSWrap lacks ${missing.join(', ')}`;
  const streamWrap = binder.binding('stream_wrap') as { kArrayBufferOffset?: unknown } | null;
  const kArrayBufferOffset = streamWrap?.kArrayBufferOffset;
  if (typeof kArrayBufferOffset !== 'number') return 'stream_wrap lacks kArrayBufferOffset';
  const wrap = b.wrap as TlsWrapBinding['wrap'];
  return { wrap: (h, ctx, isServer, active) => wrap(h, ctx, isServer, active), kArrayBufferOffset };
}
