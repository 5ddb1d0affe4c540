// Squid behind truehop: `http_port … require-proxy-header` with `proxy_protocol_access allow
// all`; the access log's %>a is the client address from the header.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver, exchangeText } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';

const PORT = INTEROP_PORTS.squid;
/** A forward-proxy request for a URL Squid answers itself (its own error page, no upstream). */
const REQUEST = 'GET cache_object://localhost/info HTTP/1.0\r\n\r\n';

describeReceiver({
  peer: 'Squid',
  pkg: INTEROP_PEERS.squid,
  port: PORT,
  async start(dir) {
    // Squid writes its logs after dropping to the `proxy` user: a private temp dir it may write.
    chmodSync(dir, 0o777);
    writeFileSync(
      join(dir, 'squid.conf'),
      `http_port 127.0.0.1:${PORT} require-proxy-header
proxy_protocol_access allow all
http_access allow all
cache deny all
access_log stdio:${dir}/access.log squid
logformat interop remote=%>a %rm %ru %>Hs
access_log stdio:${dir}/interop.log interop
cache_log ${dir}/cache.log
pid_filename ${dir}/squid.pid
coredump_dir ${dir}
cache_effective_user proxy
shutdown_lifetime 0 seconds
`,
    );
    return startPeer(INTEROP_PEERS.squid.path(), ['-N', '-f', join(dir, 'squid.conf')], PORT);
  },
  exchange: (socket) => exchangeText(socket, REQUEST, () => false),
  observed: (dir) => readLog(join(dir, 'interop.log')),
  checkLines: ['option tcp-check', `tcp-check send-binary ${Buffer.from(REQUEST).toString('hex')}`, 'tcp-check expect string HTTP/1.1'],
});
