// nginx (http) behind truehop: `listen … proxy_protocol` with `real_ip_header proxy_protocol`;
// the access log records $remote_addr (the real client after realip) and $proxy_protocol_addr.
import { join } from 'node:path';
import { describeReceiver, needsWholeHeader, httpGet } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { NGINX_SPLIT_EVIDENCE, readLog, startNginx } from './nginx-shared.js';
import { nginxTempPaths } from '../../support/nginx.js';

const PORT = INTEROP_PORTS.nginxHttp;

describeReceiver({
  peer: 'nginx (http)',
  pkg: INTEROP_PEERS.nginx,
  port: PORT,
  start: (dir) =>
    startNginx(
      dir,
      PORT,
      `http {
  log_format pp 'remote=$remote_addr pp=$proxy_protocol_addr:$proxy_protocol_port "$request" $status';
  access_log ${dir}/logs/access.log pp;
  ${nginxTempPaths(dir)}
  server {
    listen 127.0.0.1:${PORT} proxy_protocol;
    set_real_ip_from 127.0.0.1;
    real_ip_header proxy_protocol;
    location / { return 200 "client $remote_addr\\n"; }
  }
}
`,
    ),
  exchange: httpGet(),
  observed: (dir) => readLog(join(dir, 'logs', 'access.log')),
  checkLines: ['option httpchk GET /health'],
  known: {
    ...needsWholeHeader('nginx', NGINX_SPLIT_EVIDENCE),
  },
});
