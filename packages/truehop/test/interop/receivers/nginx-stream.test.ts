// nginx (stream) behind truehop: `listen … proxy_protocol` in a stream server whose `return`
// echoes $proxy_protocol_addr; the stream access log records it too.
import { join } from 'node:path';
import { describeReceiver, needsWholeHeader, exchangeText } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { NGINX_SPLIT_EVIDENCE, readLog, startNginx } from './nginx-shared.js';

const PORT = INTEROP_PORTS.nginxStream;

describeReceiver({
  peer: 'nginx (stream)',
  pkg: INTEROP_PEERS.nginx,
  needs: [INTEROP_PEERS.nginxStream],
  port: PORT,
  start: (dir) =>
    startNginx(
      dir,
      PORT,
      `stream {
  log_format pp 'pp=$proxy_protocol_addr:$proxy_protocol_port remote=$remote_addr';
  access_log ${dir}/logs/access.log pp;
  server {
    listen 127.0.0.1:${PORT} proxy_protocol;
    return "client $proxy_protocol_addr\\n";
  }
}
`,
      { stream: true },
    ),
  exchange: (socket) => exchangeText(socket, '', () => false),
  observed: (dir) => readLog(join(dir, 'logs', 'access.log')),
  // The stream server answers on its own: the check expects its echo behind the header.
  checkLines: ['option tcp-check', 'tcp-check expect string client'],
  known: {
    ...needsWholeHeader('nginx', NGINX_SPLIT_EVIDENCE),
  },
});
