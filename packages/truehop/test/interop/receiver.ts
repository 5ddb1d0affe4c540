// The "truehop sends to a receiver" half of the matrix, shared by every receiving peer: one
// truehop (the real config loader and runtime) with a frontend per header variant in front of
// the peer, clients from distinct loopback addresses (127.0.0.2…, ::1), a raw client that
// splits a header over two TCP segments, and truehop's health checks against the peer. Each
// cell passes only when the peer itself records the client's address (its access log, an
// echoed variable, its status output).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode } from '@truehop/proxy-protocol';
import { loadConfigText } from '../../src/config/load-config.js';
import { createHealthMonitor, type HealthMonitor, type ServerHealthSnapshot } from '../../src/health/monitor.js';
import { daemonFromText, type ConfigDaemon } from '../support/config-daemon.js';
import { waitFor } from '../support/peers.js';
import { Matrix, type CellReport } from './matrix.js';
import type { PeerPackage } from './peer-packages.js';
import { peerDir, removeDir, type PeerProcess } from './peer-process.js';

/** One variant truehop sends: the server keywords, and the loopback address the client uses. */
interface SendVariant {
  feature: string;
  serverKeywords: string;
  client: '127.0.0.2' | '127.0.0.3' | '127.0.0.4' | '127.0.0.5' | '::1';
}

/** The TLV variant: every option HAProxy 2.6 knows for a plain-TCP hop plus a custom TLV (0xE0). */
export const TLV_KEYWORDS = 'send-proxy-v2 proxy-v2-options crc32c,authority,unique-id set-proxy-v2-tlv-fmt(0xE0) %[src]';

export const SEND_VARIANTS: readonly SendVariant[] = [
  { feature: 'v1', serverKeywords: 'send-proxy', client: '127.0.0.2' },
  { feature: 'v1 IPv6 client', serverKeywords: 'send-proxy', client: '::1' },
  { feature: 'v2', serverKeywords: 'send-proxy-v2', client: '127.0.0.3' },
  { feature: 'v2 IPv6 client', serverKeywords: 'send-proxy-v2', client: '::1' },
  { feature: 'v2 CRC32C', serverKeywords: 'send-proxy-v2 proxy-v2-options crc32c', client: '127.0.0.4' },
  { feature: 'v2 TLVs (authority, unique-id, 0xE0) + CRC32C', serverKeywords: TLV_KEYWORDS, client: '127.0.0.5' },
];

/** Addresses the split-header cells advertise (the raw client writes the header itself). */
const SPLIT = { v1: '127.0.0.6', v2: '127.0.0.7' } as const;
/**
 * Pause between the two segments of a split header: long enough to be two reads at the peer
 * even when it is slow to take the connection (Dovecot forks a login process per connection:
 * under load, with 150 ms, both segments were sometimes there by its first read).
 */
const SPLIT_PAUSE_MS = 600;
/** How long a peer gets to record an exchange in its log. */
const OBSERVE_TIMEOUT_MS = 5_000;
/** How long a known rejection is watched for a record that must not appear. */
const REJECT_WATCH_MS = 1_500;
/** Health checks: interval and how many each server must have run. */
const CHECK_INTER_MS = 250;
const CHECKS_REQUIRED = 3;

/** A documented non-pass; `workaroundGlobal` is a truehop global line the test proves fixes it. */
export interface KnownCell extends CellReport {
  workaroundGlobal?: string;
}

export interface ReceiverSpec {
  peer: string;
  pkg: PeerPackage;
  needs?: readonly PeerPackage[];
  /** Where the peer accepts PROXY headers (127.0.0.1). */
  port: number;
  /** Starts the peer with its config written into `dir`. */
  start(dir: string): Promise<PeerProcess>;
  /**
   * One request on a connected socket (the header is already sent, by truehop or the raw client);
   * resolves with what the peer answered. Must not hang: bounded, and tolerant of a close.
   */
  exchange(socket: net.Socket): Promise<string>;
  /** The text in which the peer records the addresses it saw (read after each exchange). */
  observed(dir: string, peer: PeerProcess): string;
  /** The check lines of a backend whose check proves the peer answered behind the header. */
  checkLines: readonly string[];
  /** Cells this peer does not pass, each with the outcome the test proves and why. */
  known?: Readonly<Record<string, KnownCell>>;
  /** How long the peer may take to write its log (ATS flushes its logs once a second). */
  observeTimeoutMs?: number;
}

/**
 * The split-header cells of a peer that parses the header from its first read only (the first
 * segment alone is refused); `evidence` is what the peer logs. Not truehop's concern (it writes
 * each header in one write, as the spec asks of senders), but stricter than a receiver needs.
 */
export function needsWholeHeader(peer: string, evidence: string): Record<string, KnownCell> {
  const report: KnownCell = { outcome: 'rejected', note: `${peer} needs the whole header in its first read (${evidence}); truehop sends each header in one write, so its traffic is unaffected` };
  return { 'v1 header split over two segments': report, 'v2 header split over two segments': report };
}

/** Connects from `local` to `host:port`; the error of a refused connection rejects. */
export function connectFrom(port: number, host: string, local: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, localAddress: local, allowHalfOpen: false });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => {});
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Writes `request`, collects the answer until the peer closes, `done(text)` says complete, or the bound. */
export function exchangeText(socket: net.Socket, request: string | Buffer, done: (answer: string) => boolean, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (done(answer)) finish();
    });
    socket.once('close', finish);
    socket.once('end', finish);
    // A peer that refused the header may have closed the socket already (the raw client's
    // later write then failed): nothing more will come.
    if (socket.destroyed) return finish();
    if (request.length > 0) socket.write(request);
  });
}

/** An HTTP/1.0 GET, complete when the peer closes (HTTP/1.0 without keep-alive). */
export function httpGet(path = '/interop'): (socket: net.Socket) => Promise<string> {
  return (socket) => exchangeText(socket, `GET ${path} HTTP/1.0\r\nHost: interop.test\r\nUser-Agent: truehop-interop\r\nConnection: close\r\n\r\n`, () => false);
}

function truehopConfig(port: number): string {
  let text = 'defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n';
  SEND_VARIANTS.forEach((v, i) => {
    text += `frontend f${i}\n  bind 127.0.0.1:0\n  bind [::1]:0\n  unique-id-format interop-%ci-%cp\n  default_backend b${i}\n`;
    text += `backend b${i}\n  server peer 127.0.0.1:${port} ${v.serverKeywords}\n`;
  });
  return text;
}

/** The health-check server keywords per header version; `none` is the header-less control. */
const CHECK_SERVERS = { v1: 'send-proxy', v2: 'send-proxy-v2', none: '' } as const;

function healthConfig(port: number, checkLines: readonly string[], versions: readonly (keyof typeof CHECK_SERVERS)[], global: string): string {
  let text = (global === '' ? '' : `global\n  ${global}\n`) + 'defaults\n  mode tcp\n  timeout connect 1s\n  timeout server 1s\n  timeout check 1s\n';
  for (const name of versions) {
    const keywords = CHECK_SERVERS[name];
    text += `backend hc_${name}\n${checkLines.map((l) => `  ${l}\n`).join('')}`;
    text += `  server peer 127.0.0.1:${port} ${keywords} check inter ${CHECK_INTER_MS} rise 1 fall 1\n`;
  }
  return text;
}

/** Runs truehop's health monitor on `version` and the header-less control until each checked enough times. */
async function runChecks(spec: ReceiverSpec, version: 'v1' | 'v2', global = ''): Promise<Map<string, ServerHealthSnapshot>> {
  const loaded = loadConfigText([{ file: 'health.cfg', text: healthConfig(spec.port, spec.checkLines, [version, 'none'], global) }]);
  assert.equal(loaded.ok, true, JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'alert')));
  const monitor: HealthMonitor = createHealthMonitor(loaded.model, { log: () => {} });
  monitor.start();
  try {
    // The checked server runs CHECKS_REQUIRED checks; the control one check (a failing check
    // waits for `timeout check`, and fall 1 makes one failure final).
    const enough = (s: ServerHealthSnapshot): boolean => s.checks >= (s.backend === 'hc_none' ? 1 : CHECKS_REQUIRED);
    await waitFor(() => monitor.snapshot().every(enough), 15_000, `${CHECKS_REQUIRED} checks of the checked server`);
  } finally {
    await monitor.stop();
  }
  return new Map(monitor.snapshot().map((s) => [s.backend.replace(/^hc_/, ''), s]));
}

export function describeReceiver(spec: ReceiverSpec): void {
  const matrix = new Matrix(spec.peer, 'truehop→peer', spec.pkg, spec.needs);
  let dir = '';
  let peer: PeerProcess | null = null;
  let truehop: ConfigDaemon | null = null;

  before(async () => {
    if (!matrix.available) return;
    dir = peerDir(spec.peer.replace(/[^a-z0-9]+/gi, '-'));
    peer = await spec.start(dir);
    truehop = await daemonFromText(truehopConfig(spec.port));
  });
  after(async () => {
    await truehop?.daemon.stop(100);
    await peer?.stop();
    if (dir !== '') removeDir(dir);
  });

  /** Runs `send` and proves the peer recorded `address` (or, for a known cell, that it did not). */
  async function observe(feature: string, address: string, send: () => Promise<string>): Promise<CellReport | void> {
    const running = peer as PeerProcess;
    const before = spec.observed(dir, running).length;
    const seen = (): boolean => spec.observed(dir, running).slice(before).includes(address);
    const answer = await send();
    const known = spec.known?.[feature];
    if (known !== undefined) {
      await sleep(REJECT_WATCH_MS);
      assert.equal(seen(), false, `${spec.peer} now records ${address} for '${feature}': the matrix's '${known.outcome}' is stale`);
      return { outcome: known.outcome, note: known.note };
    }
    await waitFor(seen, spec.observeTimeoutMs ?? OBSERVE_TIMEOUT_MS, `${spec.peer} to record ${address} (answer: ${JSON.stringify(answer.slice(0, 200))}; log tail: ${JSON.stringify(spec.observed(dir, running).slice(-400))})`);
  }

  SEND_VARIANTS.forEach((variant, i) => {
    matrix.cell(variant.feature, () =>
      observe(variant.feature, variant.client, async () => {
        const d = truehop as ConfigDaemon;
        const bind = variant.client === '::1' ? 1 : 0;
        const socket = await connectFrom(d.port(`f${i}`, bind), variant.client === '::1' ? '::1' : '127.0.0.1', variant.client);
        return spec.exchange(socket);
      }),
    );
  });

  for (const version of [1, 2] as const) {
    const feature = `v${version} header split over two segments`;
    matrix.cell(feature, () =>
      observe(feature, SPLIT[`v${version}`], async () => {
        const socket = await connectFrom(spec.port, '127.0.0.1', '127.0.0.1');
        const header = encode({ version, command: 'PROXY', src: SPLIT[`v${version}`], srcPort: 40_000 + version, dst: '127.0.0.1', dstPort: spec.port });
        // Cut inside the address block (v1) or between the fixed 16 bytes and the addresses (v2).
        const cut = version === 1 ? 12 : 16;
        socket.write(header.subarray(0, cut));
        await sleep(SPLIT_PAUSE_MS);
        socket.write(header.subarray(cut));
        await sleep(SPLIT_PAUSE_MS);
        return spec.exchange(socket);
      }),
    );
  }

  for (const version of ['v1', 'v2'] as const) {
    const feature = version === 'v1' ? 'health check v1' : 'health check v2 (LOCAL)';
    matrix.cell(feature, async () => {
      const known = spec.known?.[feature];
      const snaps = await runChecks(spec, version);
      const checked = snaps.get(version);
      const control = snaps.get('none');
      if (known !== undefined) {
        assert.equal(checked?.status, 'DOWN', `${spec.peer} now passes '${feature}': the matrix's '${known.outcome}' is stale`);
        if (known.workaroundGlobal !== undefined) {
          const fixed = (await runChecks(spec, version, known.workaroundGlobal)).get(version);
          assert.equal(fixed?.status, 'UP', `'${known.workaroundGlobal}' should make ${spec.peer} pass '${feature}': ${fixed?.lastCheck?.reason ?? ''}`);
        }
        return { outcome: known.outcome, note: known.note };
      }
      assert.equal(checked?.status, 'UP', `${feature}: ${checked?.lastCheck?.reason ?? ''}`);
      assert.equal(checked?.failedChecks, 0, `${feature}: ${checked?.lastCheck?.reason ?? ''}`);
      // The control server sends no header: DOWN proves the check really depends on the header.
      if (control?.status === 'DOWN') return { outcome: 'pass', note: 'the same check without a header goes DOWN' };
      return { outcome: 'pass', note: 'connect-level check: it passes without a header too' };
    });
  }
}

/**
 * A banner protocol's dialogue (SMTP, IMAP): waits for `banner`, sends `request`, complete once
 * the answer matches `done` or the peer closes.
 */
export function bannerExchange(banner: RegExp, request: string, done: RegExp): (socket: net.Socket) => Promise<string> {
  return (socket) => {
    let sent = false;
    return exchangeText(socket, '', (answer) => {
      if (!sent && banner.test(answer)) {
        sent = true;
        socket.write(request);
      }
      return sent && done.test(answer);
    });
  };
}
