// The `stats socket` listeners: a UNIX socket (created under a temporary name, given its `mode`,
// then renamed into place, so it never exists with the wrong permissions and a stale file from
// a previous run is replaced, as HAProxy does) or a TCP address. Each listener caps its
// concurrent connections (`stats maxconn`, default 10): one more is closed at once, so
// thousands of idle clients cost a few file descriptors, never the daemon's memory.
import process from 'node:process';
import { chmodSync, renameSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { GlobalModel, StatsSocketModel } from '../model/config-model.js';
import { serveCliConnection } from './cli-connection.js';
import type { CliContext } from './commands.js';

/** HAProxy's defaults for `stats timeout` and `stats maxconn`. */
export const DEFAULT_STATS_TIMEOUT_MS = 10_000;
export const DEFAULT_STATS_MAXCONN = 10;

export interface RuntimeApi {
  /** Where each socket listens: a path, or host:port. */
  readonly addresses: readonly string[];
  close(): Promise<void>;
}

interface Opened {
  server: net.Server;
  connections: Set<net.Socket>;
  address: string;
  path: string | undefined;
}

async function openSocket(model: StatsSocketModel, global: GlobalModel, ctx: CliContext): Promise<Opened> {
  const maxconn = global.statsMaxconn ?? DEFAULT_STATS_MAXCONN;
  const timeoutMs = global.statsTimeoutMs ?? DEFAULT_STATS_TIMEOUT_MS;
  const connections = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    if (connections.size >= maxconn) {
      socket.destroy();
      return;
    }
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    serveCliConnection(socket, model.level, ctx, timeoutMs);
  });
  const path = model.path;
  const temporary = path === undefined ? undefined : `${path}.${process.pid}.tmp`;
  if (temporary !== undefined) rmSync(temporary, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (temporary !== undefined) server.listen(temporary, resolve);
    else server.listen(model.port, model.host, resolve);
  });
  server.on('error', () => {});
  if (temporary !== undefined && path !== undefined) {
    try {
      if (model.mode !== undefined) chmodSync(temporary, model.mode);
      renameSync(temporary, path);
    } catch (err) {
      server.close();
      rmSync(temporary, { force: true });
      throw err;
    }
    return { server, connections, address: path, path };
  }
  const a = server.address() as net.AddressInfo;
  return { server, connections, address: `${a.address}:${a.port}`, path: undefined };
}

/** Opens every `stats socket` of the configuration; if one fails, the others are closed and the error thrown. */
export async function startRuntimeApi(global: GlobalModel, ctx: CliContext): Promise<RuntimeApi> {
  const opened: Opened[] = [];
  try {
    for (const s of global.statsSockets) opened.push(await openSocket(s, global, ctx));
  } catch (err) {
    for (const o of opened) o.server.close();
    throw new Error(`stats socket: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    addresses: opened.map((o) => o.address),
    async close() {
      await Promise.all(opened.map((o) => new Promise<void>((resolve) => {
        o.server.close(() => resolve());
        // Connections in prompt mode would hold close() open until their idle timeout.
        for (const c of o.connections) c.destroy();
      })));
      for (const o of opened) if (o.path !== undefined) rmSync(o.path, { force: true });
    },
  };
}
