// What one proxied connection costs the raw transport in system calls, counted by strace on the
// real daemon: libuv's event-loop bookkeeping is most of what separates truehop from HAProxy on
// new connections (issue 17), so two savings are held here, each of which a refactoring could
// lose without any other test noticing:
//  * the server connection reads from the start (raw-conn.ts, EARLY_READ): its read interest
//    joins the connect's in one EPOLL_CTL_ADD, instead of an ADD that fails with EEXIST once
//    the connect completes, then a MOD;
//  * a side whose FIN was read and that has nothing left to send is closed without a shutdown()
//    first (raw-conn.ts, bothDone): close() sends the same FIN;
//  * a listener bound to one address knows its connections' local end without getsockname()
//    (raw-accept.ts, boundLocalEnd).
// The client half-closes after its request and the server answers once it has read that FIN,
// so every connection takes the same path: one shutdown (the client's FIN passed on to the
// server), then each side closed once both directions are done.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listeningPort, proxyConfig, startCli, type CliProcess } from '../../support/cli-process.js';
import { connect, readAll } from '../../support/peers.js';
import { peerSkip, requirePeer } from '../../support/require-peer.js';

const CONNECTIONS = 20;
// The permission sandbox refuses process.binding to the daemon it would start (Node 22 passes
// the model on): the raw transport's own lane runs this file.
const SANDBOXED = (process as { permission?: unknown }).permission !== undefined;

/** A server that answers `pong` and closes once it has read the client's request and FIN. */
function pongServer(): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    s.resume();
    s.on('end', () => s.end('pong'));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function oneExchange(port: number): Promise<string> {
  const c = await connect(port);
  c.end('ping');
  try {
    return (await readAll(c, 5000)).toString();
  } finally {
    c.destroy();
  }
}

describe('syscalls per proxied connection (raw transport, strace)', { skip: (SANDBOXED && 'in the permission sandbox (refuses process.binding): runs in the raw lane') || peerSkip('strace') }, () => {
  let server: net.Server;
  let cli: CliProcess;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'truehop-strace-'));

  before(async () => {
    server = await pongServer();
    const backend = (server.address() as net.AddressInfo).port;
    // nbthread 1: the single process (by default one worker per core: the traffic would be in
    // children strace -p does not follow).
    cli = startCli(proxyConfig([backend], '  nbthread 1'), [], undefined, { ...process.env, TRUEHOP_TRANSPORT: 'raw' });
    port = await listeningPort(cli);
    // Warm-up outside the trace (first-use allocations, JIT).
    assert.equal(await oneExchange(port), 'pong');
  });

  after(() => {
    cli.cleanup();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${CONNECTIONS} connections: no EEXIST from epoll_ctl, one shutdown each, no getsockname, at most 7 epoll_ctl each`, async () => {
    assert.match(cli.stderr(), /listening on/);
    const out = join(dir, 'trace');
    const strace = spawn(requirePeer('strace'), ['-f', '-qq', '-e', 'trace=epoll_ctl,shutdown,getsockname', '-o', out, '-p', String(cli.child.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = new Promise<void>((resolve) => strace.once('exit', () => resolve()));
    try {
      // strace -p attaches asynchronously: the trace file exists once it has.
      const deadline = Date.now() + 5000;
      for (;;) {
        try {
          readFileSync(out);
          break;
        } catch {
          if (Date.now() > deadline) throw new Error('strace did not attach within 5 s');
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < CONNECTIONS; i++) assert.equal(await oneExchange(port), 'pong', `exchange ${i}`);
      // Both sides of the last connection close right after its answer: give the loop a moment.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      strace.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      strace.kill('SIGKILL');
    }
    const lines = readFileSync(out, 'utf8').split('\n');
    const epoll = lines.filter((l) => l.includes('epoll_ctl('));
    const eexist = epoll.filter((l) => l.includes('EEXIST'));
    const shutdowns = lines.filter((l) => /\bshutdown\(/.test(l));
    const getsocknames = lines.filter((l) => l.includes('getsockname('));
    assert.ok(epoll.length >= CONNECTIONS * 3, `the trace saw the traffic (${epoll.length} epoll_ctl calls)`);
    assert.equal(eexist.length, 0, `epoll_ctl ADDs that failed with EEXIST:\n${eexist.slice(0, 5).join('\n')}`);
    assert.equal(shutdowns.length, CONNECTIONS, `shutdown() calls:\n${shutdowns.slice(0, 6).join('\n')}`);
    assert.equal(getsocknames.length, 0, `getsockname() on a listener bound to 127.0.0.1:\n${getsocknames.slice(0, 3).join('\n')}`);
    // Seven per connection on this path, all libuv's: ADD client, ADD server (IN|OUT), MOD server
    // (connected), MOD server (after the shutdown), DEL client (the client's EOF stays readable
    // after libuv stopped reading it, so the next poll removes it), DEL client again at close
    // (ENOENT), DEL server at close. Before the two savings: eight, plus the EEXIST pair.
    assert.ok(epoll.length <= CONNECTIONS * 7, `${epoll.length} epoll_ctl calls for ${CONNECTIONS} connections`);
  });
});
