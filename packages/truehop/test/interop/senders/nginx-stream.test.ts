// nginx (stream) sends to truehop: `proxy_protocol on` in a stream server proxying to truehop
// (nginx sends v1 only), from IPv4 and IPv6 clients.
import assert from 'node:assert/strict';
import { Matrix } from '../matrix.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startNginx } from '../receivers/nginx-shared.js';
import { connectFrom, httpGet } from '../receiver.js';
import { receivingTruehopFor, sendingPeerFor } from '../sender.js';

const PORT = INTEROP_PORTS.fromNginx;
/** nginx's own listening port (clients connect here). */
const NGINX_PORT = PORT + 5;
const matrix = new Matrix('nginx (stream)', 'peer→truehop', INTEROP_PEERS.nginx, [INTEROP_PEERS.nginxStream]);
const truehop = receivingTruehopFor(PORT);

const startSender = sendingPeerFor('nginx-sender', async (dir) => {
  return startNginx(
    dir,
    NGINX_PORT,
    `stream {
server {
  listen 127.0.0.1:${NGINX_PORT};
  listen [::1]:${NGINX_PORT};
  proxy_pass 127.0.0.1:${PORT};
  proxy_protocol on;
}
}
`,
    { stream: true },
  );
});

for (const [feature, client] of [['v1', '127.0.0.2'], ['v1 IPv6 client', '::1']] as const) {
  matrix.cell(feature, async () => {
    const t = await truehop();
    await startSender();
    const from = t.lines().length;
    const socket = await connectFrom(NGINX_PORT, client === '::1' ? '::1' : '127.0.0.1', client);
    assert.match(await httpGet()(socket), /^HTTP\/1\.0 200/);
    await t.waitLine(from, `src=${client}:`);
  });
}

matrix.cell('v2', () => Promise.resolve({ outcome: 'unsupported', note: 'nginx 1.22 sends PROXY v1 only (proxy_protocol on has no version switch)' }));
