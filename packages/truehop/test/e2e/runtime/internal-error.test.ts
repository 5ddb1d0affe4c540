// Internal errors (issue 15): an exception thrown by truehop's own code while it handles one
// session ends that session with termination state `I` + its phase, resets it toward the
// client (as HAProxy kills such a stream), counts it in `eint`, logs the stack once
// (rate-limited) and the process goes on serving everyone else: the single process does not
// die, and in master-worker mode the worker is not restarted. The faults come from
// TRUEHOP_FAULT_INJECT (datapath/fault-inject.ts), one frontend per phase; `maxconn 1` on each
// makes a leaked slot visible (the second session would wait forever), and the daemon's
// descriptors are counted before and after. The runner runs this file on both transports.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, startCli, type CliProcess } from '../../support/cli-process.js';
import { cliExchange } from '../../support/runtime-api-client.js';
import { makeTestPki } from '../../support/tls-bind-pki.js';
import { peerSkip } from '../../support/require-peer.js';
import tls from 'node:tls';

/** Frontends and the phase their sessions fail in (fe_ok: none). */
const FAULTS = {
  fe_request: 'request',
  fe_request_pp: 'request',
  fe_connect: 'connect',
  fe_data: 'data',
  fe_end: 'end',
  fe_tls: 'request',
} as const;
type FaultyFrontend = keyof typeof FAULTS;
const PLAIN_FAULTY = (Object.keys(FAULTS) as FaultyFrontend[]).filter((fe) => fe !== 'fe_tls');
const FRONTENDS = [...PLAIN_FAULTY, 'fe_ok'] as const;

// fe_tls (an ssl bind) has its own test below: its request phase starts from the TLS
// handshake's 'secure' callback.
// Read by the daemon (a child: it inherits the environment) once at start.
process.env.TRUEHOP_FAULT_INJECT = Object.entries(FAULTS).map(([fe, phase]) => `${phase}@${fe}`).join(',');

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A backend that greets every connection (so the data phase has a server read) and echoes. */
async function greetingBackend(): Promise<number> {
  const server = net.createServer((s) => {
    s.on('error', () => {});
    s.write('hello\n');
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => { server.close(() => r()); }));
  return (server.address() as net.AddressInfo).port;
}

function config(backendPort: number, adminSocket: string, workers: number): string {
  const frontend = (name: string): string =>
    `frontend ${name}\n  bind 127.0.0.1:0${name === 'fe_request_pp' ? ' accept-proxy' : ''}\n  maxconn 1\n  default_backend be\n`;
  return `global\n  nbthread ${workers}\n  stats socket ${adminSocket} level admin\n` +
    'defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n' +
    '  log stderr format raw local0\n  log-format "TS %ft %ts %B"\n' +
    FRONTENDS.map(frontend).join('') +
    `backend be\n  server s1 127.0.0.1:${backendPort}\n`;
}

/** What a client saw: the bytes it received and how the connection ended (a FIN, an error code, or still open). */
interface Outcome { received: string; end: string }

/**
 * Sends `send` once `c` is up (`ready`: 'connect', or 'secureConnect' for TLS) and reads until
 * the proxy closes (bounded); ends our side once greeting and echo arrived (the healthy path).
 */
function outcomeOf(c: net.Socket, send: string, ready: 'connect' | 'secureConnect'): Promise<Outcome> {
  return new Promise((resolve) => {
    let received = '';
    let done = false;
    const finish = (end: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      c.destroy();
      resolve({ received, end });
    };
    const timer = setTimeout(() => finish('still open'), 5000);
    c.on(ready, () => c.write(send));
    c.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (received === `hello\n${send}`) c.end();
    });
    c.on('end', () => finish('end'));
    c.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
    c.on('close', () => finish('end'));
  });
}

function exchange(port: number, send: string): Promise<Outcome> {
  return outcomeOf(net.connect(port, '127.0.0.1'), send, 'connect');
}

/** The descriptors `pid` holds, counted by a child process (the sandboxed test cannot read /proc). */
function descriptors(pid: number): number {
  const out = execFileSync(process.execPath, ['-e', `process.stdout.write(String(require('fs').readdirSync('/proc/${pid}/fd').length))`], { encoding: 'latin1' });
  return Number(out);
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `show stat` as rows of column name → value. */
async function showStat(admin: string): Promise<Map<string, Record<string, string>>> {
  const text = await cliExchange(admin, 'show stat\n');
  const [head = '', ...rows] = text.trim().split('\n');
  const names = head.replace(/^# /, '').split(',');
  const out = new Map<string, Record<string, string>>();
  for (const row of rows) {
    const values = row.split(',');
    const rec: Record<string, string> = {};
    names.forEach((n, i) => (rec[n] = values[i] ?? ''));
    out.set(`${rec.pxname}/${rec.svname}`, rec);
  }
  return out;
}

const PROXY_V1 = 'PROXY TCP4 192.0.2.7 192.0.2.8 4000 80\r\n';

for (const mode of ['single process', 'master-worker'] as const) {
  describe(`internal errors, ${mode}`, () => {
    it('a fault in each phase resets only its session (I + phase), is counted and logged; the daemon keeps serving, nothing leaks', async () => {
      const backendPort = await greetingBackend();
      const dir = mkdtempSync(join(tmpdir(), 'truehop-ierr-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const admin = join(dir, 'admin.sock');
      const cli: CliProcess = startCli(config(backendPort, admin, 1), mode === 'master-worker' ? ['-W'] : []);
      cleanups.push(() => cli.cleanup());
      const ports = new Map<string, number>();
      for (const fe of FRONTENDS) ports.set(fe, Number((await cli.waitLog(new RegExp(`frontend '${fe}' listening on 127\\.0\\.0\\.1:(\\d+)`), 15_000))[1]));
      const port = (fe: string): number => ports.get(fe) as number;
      // The process that serves: the single process, or the one worker.
      const servingPid = mode === 'master-worker'
        ? Number((await cli.waitLog(/started 1 worker: (\d+)/, 15_000))[1])
        : cli.child.pid as number;

      // A healthy session first, so everything lazily made on first use exists before counting.
      assert.deepEqual(await exchange(port('fe_ok'), 'ping\n'), { received: 'hello\nping\n', end: 'end' });
      await cli.waitLog(/TS fe_ok -- \d+/);
      const fdsBefore = descriptors(servingPid);

      // Two sessions per faulty frontend, one after the other: with `maxconn 1` the second is
      // served only if the first gave its slot back.
      for (const fe of PLAIN_FAULTY) {
        for (let i = 0; i < 2; i++) {
          const outcome = await exchange(port(fe), fe === 'fe_request_pp' ? `${PROXY_V1}ping\n` : 'ping\n');
          if (FAULTS[fe] === 'end') {
            // The session itself went through (the fault is in its end, after both closes).
            assert.deepEqual(outcome, { received: 'hello\nping\n', end: 'end' }, `${fe} #${i}`);
          } else {
            assert.equal(outcome.received, '', `${fe} #${i}: nothing forwarded to the client`);
            assert.match(outcome.end, /^(ECONNRESET|EPIPE)$/, `${fe} #${i}: the client sees a reset, not a FIN (${outcome.end})`);
          }
        }
      }

      // The log: I + the phase, once per session; the end-path fault skips its line.
      const expected: Record<FaultyFrontend, string | null> = { fe_request: 'IR', fe_request_pp: 'IR', fe_connect: 'IC', fe_data: 'ID', fe_end: null, fe_tls: 'IR' };
      const lines = (fe: string): string[] => [...cli.stderr().matchAll(new RegExp(`^TS ${fe} (\\S\\S) \\d+$`, 'gm'))].map((m) => m[1] as string);
      assert.ok(await waitFor(() => lines('fe_data').length === 2, 5000), cli.stderr());
      for (const fe of PLAIN_FAULTY) {
        const want = expected[fe];
        assert.deepEqual(lines(fe), want === null ? [] : [want, want], `${fe}'s log lines`);
      }
      // The stack, rate-limited: at least the first error's line, naming its frontend and phase.
      assert.match(cli.stderr(), /alert: internal error in a session of frontend fe_request \(phase R\): the session was reset \(termination state I\); this is a bug .*InjectedFault: fault injected .* \| at /);

      // Counted where HAProxy 2.6 counts internal errors: eint of the frontend (and of the
      // backend and server whose slot the session held); nothing left open.
      const stat = await showStat(admin);
      for (const fe of PLAIN_FAULTY) {
        assert.equal(stat.get(`${fe}/FRONTEND`)?.eint, '2', `${fe} eint`);
        assert.equal(stat.get(`${fe}/FRONTEND`)?.scur, '0', `${fe} scur`);
      }
      assert.equal(stat.get('fe_ok/FRONTEND')?.eint, '0');
      // connect (slot held), data (slot held), end (slot still held when the end began): 6.
      assert.equal(stat.get('be/BACKEND')?.eint, '6');
      assert.equal(stat.get('be/s1')?.eint, '6');
      assert.equal(stat.get('be/BACKEND')?.scur, '0');
      assert.equal(stat.get('be/BACKEND')?.qcur, '0');

      // Still serving, in the same process.
      assert.deepEqual(await exchange(port('fe_ok'), 'again\n'), { received: 'hello\nagain\n', end: 'end' });
      assert.ok(isAlive(servingPid), 'the serving process is still alive');
      assert.doesNotMatch(cli.stderr(), /died|restarting slot/, 'no worker restart');
      if (mode === 'master-worker') assert.equal(Number((await cli.waitLog(/started 1 worker: (\d+)/))[1]), servingPid);

      // No descriptor leak: back to the count before the faults (bounded wait for the closes).
      let fdsAfter = -1;
      const settled = await waitFor(() => (fdsAfter = descriptors(servingPid)) <= fdsBefore, 5000);
      assert.ok(settled, `descriptors ${fdsBefore} before the faults, ${fdsAfter} after`);
    });
  });
}

describe('internal errors on an ssl bind', () => {
  it('a fault reached from the TLS handshake\'s completion is IR and a reset; the next handshake is served', { skip: peerSkip('openssl') }, async () => {
    const pki = makeTestPki();
    cleanups.push(() => pki.cleanup());
    const backendPort = await greetingBackend();
    const pem = pki.servers[0].pem;
    const cli = startCli('global\n  nbthread 1\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n' +
      '  log stderr format raw local0\n  log-format "TS %ft %ts %B"\n' +
      `frontend fe_tls\n  bind 127.0.0.1:0 ssl crt ${pem}\n  maxconn 1\n  default_backend be\n` +
      `frontend fe_ok\n  bind 127.0.0.1:0 ssl crt ${pem}\n  default_backend be\n` +
      `backend be\n  server s1 127.0.0.1:${backendPort}\n`);
    cleanups.push(() => cli.cleanup());
    const tlsPort = Number((await cli.waitLog(/frontend 'fe_tls' listening on 127\.0\.0\.1:(\d+)/, 15_000))[1]);
    const okPort = Number((await cli.waitLog(/frontend 'fe_ok' listening on 127\.0\.0\.1:(\d+)/, 15_000))[1]);
    const tlsExchange = async (port: number): Promise<Outcome & { secure: boolean }> => {
      const c = tls.connect({ port, host: '127.0.0.1', servername: pki.servers[0].name, rejectUnauthorized: false });
      let secure = false;
      c.once('secureConnect', () => (secure = true));
      return { ...(await outcomeOf(c, 'ping\n', 'secureConnect')), secure };
    };
    for (let i = 0; i < 2; i++) {
      const outcome = await tlsExchange(tlsPort);
      assert.equal(outcome.secure, true, 'the handshake completed');
      assert.equal(outcome.received, '');
      // Node has no reset for a tls.TLSSocket (the socket transport's TLS stream): closed with
      // a FIN there; raw TLS (the default) resets as the plain connections do.
      const closedAs = process.env.TRUEHOP_TRANSPORT === 'socket' ? /^(ECONNRESET|EPIPE|end)$/ : /^(ECONNRESET|EPIPE)$/;
      assert.match(outcome.end, closedAs, `a reset after the handshake (${outcome.end})`);
    }
    assert.deepEqual(await tlsExchange(okPort), { received: 'hello\nping\n', end: 'end', secure: true });
    const lines = (): string[] => [...cli.stderr().matchAll(/^TS fe_tls (\S\S) \d+$/gm)].map((m) => m[1] as string);
    assert.ok(await waitFor(() => lines().length === 2, 5000), cli.stderr());
    assert.deepEqual(lines(), ['IR', 'IR']);
    assert.doesNotMatch(cli.stderr(), /SSL handshake failure|SSL_/, 'the reset is not reported as a failed handshake');
    assert.ok(isAlive(cli.child.pid as number));
  });
});
