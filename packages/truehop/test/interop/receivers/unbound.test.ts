// Unbound behind truehop: `proxy-protocol-port` on its TCP port, `log-queries: yes` writes each
// query with the client address from the header into its log file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';
import { dnsExchange, v2Only, QUERY_HEX, QUERY_NAME } from './dns-query.js';

const PORT = INTEROP_PORTS.unbound;
const V2_ONLY = v2Only('Unbound', '"proxy_protocol: could not match PROXYv2 header"');

describeReceiver({
  peer: 'Unbound',
  pkg: INTEROP_PEERS.unbound,
  port: PORT,
  async start(dir) {
    writeFileSync(
      join(dir, 'unbound.conf'),
      `server:
  interface: 127.0.0.1
  port: ${PORT}
  proxy-protocol-port: ${PORT}
  do-daemonize: no
  use-syslog: no
  logfile: "${dir}/unbound.log"
  log-queries: yes
  verbosity: 1
  chroot: ""
  username: ""
  pidfile: ""
  directory: "${dir}"
  access-control: 0.0.0.0/0 allow
  access-control: ::/0 allow
  module-config: "iterator"
  local-zone: "test." static
  local-data: "${QUERY_NAME}. 60 IN A 192.0.2.1"
remote-control:
  control-enable: no
`,
    );
    return startPeer(INTEROP_PEERS.unbound.path(), ['-d', '-c', join(dir, 'unbound.conf')], PORT);
  },
  exchange: dnsExchange,
  observed: (dir) => readLog(join(dir, 'unbound.log')),
  // The answer repeats the question's name: it arrives only behind an accepted header.
  checkLines: ['option tcp-check', `tcp-check send-binary ${QUERY_HEX}`, 'tcp-check expect string interop'],
  known: V2_ONLY,
});
