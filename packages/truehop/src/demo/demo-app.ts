// A demo app server: plain HTTP that only accepts connections starting with a PROXY header
// (from truehop on loopback) and answers with the client address the header carried —
// `req.socket.remoteAddress` is that address, thanks to @truehop/node's acceptProxyProtocol.
import { Buffer } from 'node:buffer';
import http from 'node:http';
import type net from 'node:net';
import { acceptProxyProtocol, getProxyInfo } from '@truehop/node';

export interface DemoApp {
  readonly name: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startDemoApp(name: string, port = 0): Promise<DemoApp> {
  const server = http.createServer((req, res) => {
    const info = getProxyInfo(req.socket);
    const header = info ? `PROXY v${info.header.version} ${info.header.command} from ${info.proxy.address}:${info.proxy.port}` : 'no PROXY header';
    const body =
      `Hello from ${name}!\n` +
      `  your address, as the PROXY header told me: ${req.socket.remoteAddress}:${req.socket.remotePort}\n` +
      `  the address you connected to:             ${req.socket.localAddress}:${req.socket.localPort}\n` +
      `  header:                                    ${header}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  // Only truehop (on loopback) may tell this server who the client is.
  acceptProxyProtocol(server, { trusted: ['127.0.0.1/32', '::1/128'], headerTimeoutMs: 5000 });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    name,
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
