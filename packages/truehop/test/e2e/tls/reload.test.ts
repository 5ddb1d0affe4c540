// Certificates and reloads (issue 14, docs/tls.md): each worker reads its `crt` files when it
// loads the configuration, so a reload (-W, SIGUSR2) after the PEM file was replaced serves
// the new certificate on new connections, while a session established before the reload keeps
// its TLS connection — and its old certificate — in the old worker until it ends.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { recordingServer } from '../../support/peers.js';
import { listeningPort, proxyConfig, startCli } from '../../support/cli-process.js';
import { peerSkip } from '../../support/require-peer.js';
import { makeTestPki } from '../../support/tls-bind-pki.js';

const skip = peerSkip('openssl');
const STEP_TIMEOUT_MS = 5000;

/** A TLS client of the bind, established (the test's throw-away CA is not checked here). */
function tlsClient(port: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.2' });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no TLS handshake in time'));
    }, STEP_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The CN of the certificate the LB presented. */
function servedCn(socket: tls.TLSSocket): string {
  const cn = socket.getPeerCertificate().subject.CN;
  return Array.isArray(cn) ? cn.join(',') : (cn ?? '');
}

/** Writes `text` through `socket` and resolves with what the echo server sends back. */
function roundTrip(socket: tls.TLSSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => reject(new Error(`no echo of ${text} (got ${JSON.stringify(got)})`)), STEP_TIMEOUT_MS);
    const onData = (d: Buffer): void => {
      got += d.toString();
      if (got.length < text.length) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      resolve(got);
    };
    socket.on('data', onData);
    socket.write(text);
  });
}

describe('TLS certificates on reload', { skip }, () => {
  it('SIGUSR2 after the PEM file changed: new connections get the new certificate, an open session goes on with the old one', async () => {
    const pki = makeTestPki();
    const echo = await recordingServer((c) => c.socket.on('data', (d: Buffer) => c.socket.write(d)));
    const [first, , second] = pki.servers;
    const live = join(pki.dir, 'live.pem');
    copyFileSync(first.pem, live);
    const config = proxyConfig([echo.port], '  nbthread 1').replace('  bind 127.0.0.1:0\n', `  bind 127.0.0.1:0 ssl crt ${live}\n`);
    const cli = startCli(config, ['-W']);
    const open: tls.TLSSocket[] = [];
    try {
      const port = await listeningPort(cli);
      const before = await tlsClient(port);
      open.push(before);
      assert.equal(servedCn(before), first.name);
      assert.equal(await roundTrip(before, 'one'), 'one');

      copyFileSync(second.pem, live);
      const from = cli.stderr().length;
      cli.child.kill('SIGUSR2');
      await cli.waitLog(/reloaded: old workers [\d,]+ finishing their sessions, new workers [\d,]+/, 15_000, from);

      const after = await tlsClient(port);
      open.push(after);
      assert.equal(servedCn(after), second.name, 'the new worker read the replaced PEM file');
      assert.equal(await roundTrip(after, 'two'), 'two');
      // The session from before the reload is still served by the old worker, same TLS connection.
      assert.equal(await roundTrip(before, 'three'), 'three');
      assert.equal(servedCn(before), first.name);
    } finally {
      for (const s of open) s.destroy();
      cli.cleanup();
      await echo.close();
      pki.cleanup();
    }
  });
});
