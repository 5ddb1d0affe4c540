// PowerDNS Recursor behind truehop: `proxy-protocol-from=127.0.0.1`; with `quiet=no` it logs
// every question with the client address from the header.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { dnsExchange, v2Only, QUERY_HEX, QUERY_NAME } from './dns-query.js';

const PORT = INTEROP_PORTS.pdnsRecursor;
let peerOutput: () => string = () => '';
const V2_ONLY = v2Only('PowerDNS Recursor', 'no answer to a query behind a v1 header');

describeReceiver({
  peer: 'PowerDNS Recursor',
  pkg: INTEROP_PEERS.pdnsRecursor,
  port: PORT,
  async start(dir) {
    writeFileSync(join(dir, 'recursor.conf'), '');
    writeFileSync(join(dir, 'test.zone'), `$ORIGIN test.\n@ 60 IN SOA ns.test. admin.test. 1 60 60 60 60\n@ 60 IN NS ns.test.\nns 60 IN A 192.0.2.53\n${QUERY_NAME.split('.')[0]} 60 IN A 192.0.2.1\n`);
    const peer = await startPeer(
      INTEROP_PEERS.pdnsRecursor.path(),
      [
        `--config-dir=${dir}`, `--socket-dir=${dir}`, '--daemon=no', '--disable-syslog', '--write-pid=no',
        '--local-address=127.0.0.1', `--local-port=${PORT}`, '--proxy-protocol-from=127.0.0.1',
        '--allow-from=0.0.0.0/0,::/0', '--quiet=no', '--loglevel=6', `--auth-zones=test=${dir}/test.zone`,
        '--threads=1', '--dnssec=off',
        // Loopback only: no security-status poll, and every other name forwarded to a dead
        // loopback port instead of the root servers.
        '--security-poll-suffix=', '--forward-zones-recurse=.=127.0.0.1:9',
      ],
      PORT,
    );
    peerOutput = () => peer.output();
    return peer;
  },
  exchange: dnsExchange,
  observed: () => peerOutput(),
  checkLines: ['option tcp-check', `tcp-check send-binary ${QUERY_HEX}`, 'tcp-check expect string interop'],
  known: V2_ONLY,
});
