// Test fixtures for the health-check end-to-end tests: models built by hand (the config
// loader is tested elsewhere), loopback servers that record every byte a check sends and
// answer the way a test asks (accept, HTTP status, banner, hang). The models start from the
// shared builders in test/support/model.ts with health checks switched on.
import net from 'node:net';
import { decode } from '@truehop/proxy-protocol';
import type {
  CheckKind,
  CheckModel,
  GlobalModel,
  ServerModel,
  Timeouts,
  TruehopModel,
} from '../../../src/model/config-model.js';
import { backend, model as baseModel, server as baseServer } from '../../support/model.js';

const pos = { file: 'health-test.cfg', line: 1, col: 1 };

export type ServerOverrides = Omit<Partial<ServerModel>, 'check'> & { check?: Partial<CheckModel> };

export function server(name: string, port: number, overrides: ServerOverrides = {}): ServerModel {
  const { check, ...rest } = overrides;
  return baseServer(name, port, {
    pos,
    ...rest,
    check: {
      enabled: true,
      interMs: 100,
      fastinterMs: 100,
      downinterMs: 100,
      rise: 2,
      fall: 3,
      // Inherit like HAProxy: send-proxy* and no check addr/port → checks send the header.
      sendProxy: (rest.sendProxy ?? 'none') !== 'none' && check?.port === undefined && check?.addr === undefined,
      ...check,
    },
  });
}

export function model(
  servers: ServerModel[],
  options: { checkKind?: CheckKind; timeouts?: Timeouts; global?: Partial<GlobalModel>; backend?: string } = {},
): TruehopModel {
  const be = backend(options.backend ?? 'be', servers, {
    timeouts: options.timeouts ?? { connect: 1000 },
    checkKind: options.checkKind ?? { kind: 'tcp' },
    pos,
  });
  return baseModel([], [be], options.global);
}

export type Behaviour =
  | { kind: 'accept' }
  | { kind: 'hang' }
  | { kind: 'http'; status: number; reason: string }
  | { kind: 'banner'; text: string; close?: boolean };

export interface RecordedConnection {
  /** The check's source port as the server saw it. */
  remotePort: number;
  remoteAddress: string;
  bytes: Buffer;
  closed: boolean;
  /** Date.now() at accept. */
  acceptedAt: number;
}

/** A loopback server that records each connection's bytes and answers per `behaviour`. */
export class RecordingServer {
  readonly connections: RecordedConnection[] = [];
  behaviour: Behaviour;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #port = 0;
  readonly #host: string;

  constructor(behaviour: Behaviour = { kind: 'accept' }, host = '127.0.0.1') {
    this.behaviour = behaviour;
    this.#host = host;
    this.#server = net.createServer((socket) => this.#accept(socket));
  }

  get port(): number {
    return this.#port;
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, this.#host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.#port = address.port;
    return this;
  }

  /** Stops listening and drops every connection (a server crash). */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    const record: RecordedConnection = {
      remotePort: socket.remotePort ?? -1,
      remoteAddress: socket.remoteAddress ?? '',
      bytes: Buffer.alloc(0),
      closed: false,
      acceptedAt: Date.now(),
    };
    this.connections.push(record);
    this.#sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      record.closed = true;
      this.#sockets.delete(socket);
    });
    const behaviour = this.behaviour;
    if (behaviour.kind === 'banner') {
      if (behaviour.close === true) socket.end(behaviour.text);
      else socket.write(behaviour.text);
    }
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      record.bytes = Buffer.concat([record.bytes, chunk]);
      if (behaviour.kind !== 'http' || answered) return;
      const request = afterProxyHeader(record.bytes);
      if (request !== null && request.includes('\r\n\r\n')) {
        answered = true;
        socket.end(`HTTP/1.1 ${behaviour.status} ${behaviour.reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      }
    });
    // 'accept' and 'banner' close when the check does; 'hang' never answers nor closes.
    socket.on('end', () => {
      if (behaviour.kind !== 'hang') socket.end();
    });
  }
}

/** The bytes after a complete PROXY header (all of them when there is none); null while incomplete. */
export function afterProxyHeader(bytes: Buffer): Buffer | null {
  const result = decode(bytes);
  if (result.status === 'incomplete') return null;
  if (result.status === 'not-proxy') return bytes;
  return bytes.subarray(result.length);
}

export const SIG_HEX = '0d0a0d0a000d0a515549540a';
