// Clients for the TLS tests: `openssl s_client` and `curl` run as real peers, and a relay that
// puts a PROXY header in front of what they send (the AWS NLB set-up: `bind … accept-proxy
// ssl`), since s_client cannot. Everything is bounded in time and closed after use.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { requirePeer } from './require-peer.js';

export interface Relay {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on loopback; each connection gets `header` written first to `targetPort`, then both ways piped. */
export async function proxyHeaderRelay(targetPort: number, header: (client: net.Socket) => Buffer): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      s.on('close', () => sockets.delete(s));
    }
    upstream.write(header(client));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A PROXY v1 header advertising a fixed client, so the advertised address is checkable. */
export const V1_HEADER = Buffer.from('PROXY TCP4 192.0.2.10 198.51.100.20 40000 443\r\n');

export interface ToolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a peer program with `input` on stdin, killed after `timeoutMs`. */
export function runTool(bin: string, args: readonly string[], input: string, timeoutMs = 10_000): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

export interface SClientOptions {
  servername?: string;
  alpn?: string;
  /** '-tls1_2' or '-tls1_3'. */
  version?: '-tls1_2' | '-tls1_3';
  cert?: { cert: string; key: string };
}

export interface SClientResult extends ToolRun {
  /** From the session block: what the handshake negotiated, as the client saw it. */
  readonly protocol: string | undefined;
  readonly cipher: string | undefined;
  readonly alpn: string | undefined;
}

/** `openssl s_client` to 127.0.0.1:port: sends `input`, waits for the server to close. */
export async function sClient(port: number, o: SClientOptions, input = 'PING\n'): Promise<SClientResult> {
  const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof'];
  if (o.servername !== undefined) args.push('-servername', o.servername);
  else args.push('-noservername');
  if (o.alpn !== undefined) args.push('-alpn', o.alpn);
  if (o.version !== undefined) args.push(o.version);
  if (o.cert !== undefined) args.push('-cert', o.cert.cert, '-key', o.cert.key);
  const r = await runTool(requirePeer('openssl'), args, input);
  return {
    ...r,
    protocol: /^\s*Protocol\s*: (\S+)/m.exec(r.stdout)?.[1],
    cipher: /^\s*Cipher\s*: (\S+)/m.exec(r.stdout)?.[1],
    alpn: /^ALPN protocol: (\S+)/m.exec(r.stdout)?.[1],
  };
}
