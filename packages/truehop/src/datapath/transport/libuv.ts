// The one place that reaches Node's libuv stream bindings (`process.binding('tcp_wrap')` and
// `process.binding('stream_wrap')`): typed views of exactly what the raw transport uses, or
// null when this Node lacks one of them. These are Node internals, not a public API: what is
// relied on, and the Node versions it was verified on, is written down in docs/transport.md,
// and self-test.ts checks at start-up that each piece behaves before the raw transport is used.
import process from 'node:process';

/** Node's stream handle (LibuvStreamWrap + TCPWrap), as far as the raw transport uses it. */
export interface TcpHandle {
  /** Called by libuv for every read, EOF or read error; `this` is the handle. */
  onread: ((this: TcpHandle, arrayBuffer: ArrayBuffer | undefined) => Uint8Array | undefined) | null;
  /** Server handles: called with each accepted connection's handle. */
  onconnection?: ((err: number, clientHandle: TcpHandle | undefined) => void) | null;
  readStart(): number;
  readStop(): number;
  /** Makes libuv read into `buf` (and later into what onread returns) instead of fresh memory. */
  useUserBuffer(buf: Uint8Array): void;
  writeBuffer(req: WriteReq, buf: Uint8Array): number;
  writev(req: WriteReq, chunks: readonly Uint8Array[], allBuffers: true): number;
  shutdown(req: ShutdownReq): number;
  close(cb?: () => void): void;
  /**
   * Closes with a TCP reset (uv_tcp_close_reset: SO_LINGER 0, then close); `cb` as close's.
   * Never after shutdown() (libuv refuses it, and Node's handle would stay half-closed).
   * Optional: without it the raw transport closes normally.
   */
  reset?(cb?: () => void): number;
  setNoDelay(enable: boolean): number;
  connect(req: ConnectReq, address: string, port: number): number;
  connect6(req: ConnectReq, address: string, port: number): number;
  getpeername(out: AddressOut): number;
  getsockname(out: AddressOut): number;
}

/**
 * What getpeername/getsockname fill in. The caller makes it with all three properties already
 * present (undefined), in Endpoint's order, so the filled object has Endpoint's shape and can
 * serve as one without a copy (raw-conn.ts).
 */
export interface AddressOut {
  address: string | undefined;
  port: number | undefined;
  family: string | undefined;
}

export interface WriteReq {
  handle: TcpHandle | null;
  oncomplete: ((status: number) => void) | null;
}

export interface ShutdownReq {
  handle: TcpHandle | null;
  oncomplete: ((status: number) => void) | null;
}

export interface ConnectReq {
  oncomplete: ((status: number) => void) | null;
  address: string;
  port: number;
}

export interface LibuvBindings {
  readonly TCP: new (type: number) => TcpHandle;
  readonly TCPConnectWrap: new () => ConnectReq;
  readonly WriteWrap: new () => WriteReq;
  readonly ShutdownWrap: new () => ShutdownReq;
  /** TCP constructor type for a connecting socket. */
  readonly SOCKET: number;
  /** Shared state the write/read calls leave their results in. */
  readonly streamBaseState: Int32Array;
  readonly kReadBytesOrError: number;
  readonly kLastWriteWasAsync: number;
  readonly kBytesWritten: number;
}

interface Binder {
  binding?: (name: string) => unknown;
}

function field<T>(from: unknown, name: string, type: string): T | null {
  if (typeof from !== 'object' && typeof from !== 'function') return null;
  if (from === null) return null;
  const value = (from as Record<string, unknown>)[name];
  if (type === 'object' ? typeof value !== 'object' || value === null : typeof value !== type) return null;
  return value as T;
}

const HANDLE_METHODS = [
  'readStart', 'readStop', 'useUserBuffer', 'writeBuffer', 'writev', 'shutdown', 'close', 'setNoDelay',
  'connect', 'connect6', 'getpeername', 'getsockname',
] as const;

/**
 * The bindings, or a sentence saying which piece is missing. Only presence and type are
 * checked here; self-test.ts checks behaviour.
 */
export function loadLibuvBindings(): LibuvBindings | string {
  const binder = process as unknown as Binder;
  if (typeof binder.binding !== 'function') return 'process.binding is not available';
  let tcpWrap: unknown;
  let streamWrap: unknown;
  try {
    tcpWrap = binder.binding('tcp_wrap');
    streamWrap = binder.binding('stream_wrap');
  } catch (err) {
    return `process.binding refused: ${err instanceof Error ? err.message : String(err)}`;
  }
  const TCP = field<LibuvBindings['TCP']>(tcpWrap, 'TCP', 'function');
  const TCPConnectWrap = field<LibuvBindings['TCPConnectWrap']>(tcpWrap, 'TCPConnectWrap', 'function');
  const constants = field<Record<string, unknown>>(tcpWrap, 'constants', 'object');
  const WriteWrap = field<LibuvBindings['WriteWrap']>(streamWrap, 'WriteWrap', 'function');
  const ShutdownWrap = field<LibuvBindings['ShutdownWrap']>(streamWrap, 'ShutdownWrap', 'function');
  const streamBaseState = field<unknown>(streamWrap, 'streamBaseState', 'object');
  const kReadBytesOrError = field<number>(streamWrap, 'kReadBytesOrError', 'number');
  const kLastWriteWasAsync = field<number>(streamWrap, 'kLastWriteWasAsync', 'number');
  const kBytesWritten = field<number>(streamWrap, 'kBytesWritten', 'number');
  const SOCKET = constants === null ? null : field<number>(constants, 'SOCKET', 'number');
  if (TCP === null || TCPConnectWrap === null || SOCKET === null) return "tcp_wrap lacks TCP, TCPConnectWrap or constants.SOCKET";
  if (WriteWrap === null || ShutdownWrap === null) return 'stream_wrap lacks WriteWrap or ShutdownWrap';
  if (!(streamBaseState instanceof Int32Array) || kReadBytesOrError === null || kLastWriteWasAsync === null || kBytesWritten === null) {
    return 'stream_wrap lacks streamBaseState or its kReadBytesOrError/kLastWriteWasAsync/kBytesWritten slots';
  }
  const proto: unknown = TCP.prototype;
  const missing = HANDLE_METHODS.filter((m) => field<unknown>(proto, m, 'function') === null);
  if (missing.length > 0) return `TCP handles lack ${missing.join(', ')}`;
  return { TCP, TCPConnectWrap, WriteWrap, ShutdownWrap, SOCKET, streamBaseState, kReadBytesOrError, kLastWriteWasAsync, kBytesWritten };
}
