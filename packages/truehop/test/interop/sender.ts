// The "a peer sends, truehop receives" half of the matrix: truehop listens with `accept-proxy`
// on a fixed loopback port (v4 and v6) and logs, per session, the addresses and TLVs it decoded
// from the peer's header; an application behind it answers (HTTP) and records what arrived.
// A cell passes when truehop's log shows the client address the peer had, i.e. the one the
// test's client used to reach the peer.
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { daemonFromText, type ConfigDaemon } from '../support/config-daemon.js';
import { peerDir, removeDir, type PeerProcess } from './peer-process.js';
import { recordingServer, waitFor, type RecordingServer } from '../support/peers.js';

/** truehop's per-session line: addresses from the header, then its TLVs (HAProxy's fetches). */
const LOG_FORMAT = 'src=%ci:%cp dst=%fi:%fp pp=%[fc_rcvd_proxy] authority=%[fc_pp_authority] unique_id=%[fc_pp_unique_id] tlv_e0=%[fc_pp_tlv(0xE0)]';
/** How long truehop gets to log a session after the peer's exchange. */
const LOG_TIMEOUT_MS = 5_000;

export interface ReceivingTruehop {
  /** truehop's accept-proxy port, on 127.0.0.1 and on ::1. */
  port: number;
  /** The application behind truehop (answers an HTTP 200 to whatever arrives). */
  app: RecordingServer;
  truehop: ConfigDaemon;
  /** truehop's session log lines so far. */
  lines(): string[];
  /** Waits for a session line that contains `text` among the lines after `from`. */
  waitLine(from: number, text: string): Promise<string>;
  stop(): Promise<void>;
}

export async function receivingTruehop(port: number): Promise<ReceivingTruehop> {
  const app = await recordingServer((conn) => {
    conn.socket.once('data', () => conn.socket.end('HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n'));
  });
  const truehop = await daemonFromText(
    `global\n  log stdout format raw local0\n` +
      `defaults\n  mode tcp\n  log global\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n` +
      `frontend fe\n  bind 127.0.0.1:${port} accept-proxy\n  bind [::1]:${port} accept-proxy\n  log-format "${LOG_FORMAT}"\n  default_backend be\n` +
      `backend be\n  server app 127.0.0.1:${app.port}\n`,
  );
  const lines = (): string[] => truehop.logs.lines();
  return {
    port,
    app,
    truehop,
    lines,
    async waitLine(from, text) {
      let found: string | undefined;
      await waitFor(() => (found = lines().slice(from).find((l) => l.includes(text))) !== undefined, LOG_TIMEOUT_MS, `a truehop log line with '${text}' (lines: ${JSON.stringify(lines().slice(from))})`);
      return found as string;
    },
    async stop() {
      await truehop.daemon.stop(100);
      await app.close();
    },
  };
}

/** Starts the receiving truehop once for a test file, stopped after it. */
export function receivingTruehopFor(port: number): () => Promise<ReceivingTruehop> {
  let started: Promise<ReceivingTruehop> | null = null;
  after(async () => {
    if (started !== null) await (await started).stop();
  });
  return () => (started ??= receivingTruehop(port));
}

/** Lets a peer settle after a session (some log a line only once their upstream closes). */
export const settle = (): Promise<void> => sleep(50);

/**
 * The sending peer of a test file, started on first use from `start(dir)` in its own temporary
 * directory (after truehop listens, so its first connection finds truehop), stopped after the file.
 */
export function sendingPeerFor(name: string, start: (dir: string) => Promise<PeerProcess>): () => Promise<PeerProcess> {
  let started: Promise<PeerProcess> | null = null;
  let dir = '';
  after(async () => {
    if (started !== null) await (await started).stop();
    if (dir !== '') removeDir(dir);
  });
  return () => (started ??= start((dir = peerDir(name))));
}
