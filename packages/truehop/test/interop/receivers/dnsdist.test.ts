// dnsdist behind truehop: `setProxyProtocolACL` trusts truehop; a LogAction writes each query
// with the client address from the header, and a SpoofAction answers it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';
import { dnsExchange, v2Only, QUERY_HEX } from './dns-query.js';

const PORT = INTEROP_PORTS.dnsdist;
const V2_ONLY = v2Only('dnsdist', 'no answer to a query behind a v1 header');

describeReceiver({
  peer: 'dnsdist',
  pkg: INTEROP_PEERS.dnsdist,
  port: PORT,
  async start(dir) {
    writeFileSync(
      join(dir, 'dnsdist.conf'),
      // No security-status poll: loopback traffic only.
      `setSecurityPollSuffix("")
setLocal("127.0.0.1:${PORT}")
setProxyProtocolACL({"127.0.0.1/32"})
setACL({"0.0.0.0/0", "::/0"})
addAction(AllRule(), LogAction("${dir}/queries.log", false, true, false))
addAction(AllRule(), SpoofAction("192.0.2.1"))
`,
    );
    return startPeer(INTEROP_PEERS.dnsdist.path(), ['--supervised', '--disable-syslog', '-C', join(dir, 'dnsdist.conf')], PORT);
  },
  exchange: dnsExchange,
  observed: (dir) => readLog(join(dir, 'queries.log')),
  checkLines: ['option tcp-check', `tcp-check send-binary ${QUERY_HEX}`, 'tcp-check expect string interop'],
  known: V2_ONLY,
});
