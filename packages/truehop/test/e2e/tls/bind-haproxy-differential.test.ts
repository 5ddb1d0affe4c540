// Differential against HAProxy 2.6: the same PEM files and the same configuration text
// (`bind … accept-proxy ssl crt … alpn … ca-file … verify optional`, one frontend per TLS
// option of the server line), the same openssl s_client, with and without a client
// certificate. The PROXY header each recording server receives must be byte-identical: the
// client came through a PROXY header, so the addresses are the advertised ones and no port
// of a real socket appears in it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { daemonFromText, type ConfigDaemon } from '../../support/config-daemon.js';
import { haproxySkip, startHaproxy, type RunningHaproxy } from '../../support/haproxy.js';
import { recordingServer, type RecordingServer } from '../../support/peers.js';
import { peerSkip } from '../../support/require-peer.js';
import { makeTestPki, type TestPki } from '../../support/tls-bind-pki.js';
import { proxyHeaderRelay, sClient, V1_HEADER, type SClientOptions } from '../../support/tls-clients.js';

/** Server-line options under test, one frontend/backend pair each. */
const OPTIONS = {
  ssl: 'send-proxy-v2-ssl',
  sslcn: 'send-proxy-v2-ssl-cn',
  optssl: 'send-proxy-v2 proxy-v2-options ssl',
  cn: 'send-proxy-v2 proxy-v2-options cert-cn',
  cipher: 'send-proxy-v2 proxy-v2-options ssl-cipher',
  sig: 'send-proxy-v2 proxy-v2-options cert-sig',
  key: 'send-proxy-v2 proxy-v2-options cert-key',
  all: 'send-proxy-v2 proxy-v2-options ssl,cert-cn,ssl-cipher,cert-sig,cert-key,authority,crc32c',
  plain: 'send-proxy-v2',
} as const;
const NAMES = Object.keys(OPTIONS) as (keyof typeof OPTIONS)[];

function configText(pki: TestPki, recPort: number, port: (i: number) => number): string {
  const [a, b, c] = pki.servers;
  const lines = ['defaults', '  mode tcp', '  timeout connect 2s', '  timeout client 10s', '  timeout server 10s', ''];
  NAMES.forEach((name, i) => {
    lines.push(
      `frontend fe_${name}`,
      `  bind 127.0.0.1:${port(i)} accept-proxy ssl crt ${a.pem} crt ${b.pem} crt ${c.pem} alpn h2,http/1.1 ca-file ${pki.caFile} verify optional`,
      `  default_backend be_${name}`,
      `backend be_${name}`,
      `  server s1 127.0.0.1:${recPort} ${OPTIONS[name]}`,
      '',
    );
  });
  return lines.join('\n');
}

function answering(): Promise<RecordingServer> {
  return recordingServer((c) => c.socket.once('data', () => c.socket.end('ok\n')));
}

describe('SSL TLV: truehop and HAProxy 2.6 send the same header bytes', { skip: haproxySkip || peerSkip('openssl') }, () => {
  let pki: TestPki;
  let recT: RecordingServer;
  let recH: RecordingServer;
  let d: ConfigDaemon;
  let h: RunningHaproxy;

  before(async () => {
    pki = makeTestPki();
    recT = await answering();
    recH = await answering();
    d = await daemonFromText(configText(pki, recT.port, () => 0));
    h = await startHaproxy(NAMES.length, (ports) => configText(pki, recH.port, (i) => ports[i] as number));
  });

  after(async () => {
    await d?.daemon.stop();
    await h?.stop();
    await recT?.close();
    await recH?.close();
    pki?.cleanup();
  });

  const clients: [string, (pki: TestPki) => SClientOptions][] = [
    ['TLS 1.3, SNI b.test, ALPN h2, client certificate', (p) => ({ servername: 'b.test', alpn: 'h2', version: '-tls1_3', cert: p.clientValid })],
    ['TLS 1.3, no SNI, no ALPN, no client certificate', () => ({ version: '-tls1_3' })],
    ['TLS 1.2, SNI c.test, ALPN http/1.1, client certificate', (p) => ({ servername: 'c.test', alpn: 'http/1.1', version: '-tls1_2', cert: p.clientValid })],
    ['TLS 1.2, SNI a.test, no client certificate', () => ({ servername: 'a.test', version: '-tls1_2' })],
  ];

  for (const [what, options] of clients) {
    it(what, async () => {
      for (const [i, name] of NAMES.entries()) {
        const got: Buffer[] = [];
        for (const [port, rec] of [[d.port(`fe_${name}`), recT], [h.ports[i] as number, recH]] as const) {
          const relay = await proxyHeaderRelay(port, () => V1_HEADER);
          try {
            const before = rec.connections.length;
            const r = await sClient(relay.port, options(pki));
            assert.match(r.stdout, /ok\n/, `${name}: ${r.stderr}`);
            const conn = await rec.connection(before);
            const bytes = conn.bytes();
            // The v2 header: 16 bytes + its length; the client's PING follows.
            got.push(bytes.subarray(0, 16 + bytes.readUInt16BE(14)));
          } finally {
            await relay.close();
          }
        }
        assert.equal((got[0] as Buffer).toString('hex'), (got[1] as Buffer).toString('hex'), `${name} (${OPTIONS[name]}): truehop vs HAProxy`);
      }
    });
  }
});
