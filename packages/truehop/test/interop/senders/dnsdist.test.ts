// dnsdist sends to truehop: a TCP-only backend with `useProxyProtocol=true` (v2) and a custom
// TLV added by SetProxyProtocolValuesAction, for DNS-over-TCP clients on IPv4 and IPv6.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Matrix } from '../matrix.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { connectFrom } from '../receiver.js';
import { receivingTruehopFor, sendingPeerFor } from '../sender.js';
import { dnsExchange } from '../receivers/dns-query.js';

const PORT = INTEROP_PORTS.fromDnsdist;
const DNSDIST_PORT = PORT + 5;
/** The custom TLV dnsdist adds (type 0xE0 = 224). */
const TLV_VALUE = 'interop-tlv';
const matrix = new Matrix('dnsdist', 'peer→truehop', INTEROP_PEERS.dnsdist);
const truehop = receivingTruehopFor(PORT);

const startDnsdist = sendingPeerFor('dnsdist-sender', async (dir) => {
  writeFileSync(
    join(dir, 'dnsdist.conf'),
    // No security-status poll (loopback only); the backend forced up: dnsdist 1.7's own check
    // (a LOCAL header and a query) would mark truehop's HTTP application down.
    `setSecurityPollSuffix("")
setLocal("127.0.0.1:${DNSDIST_PORT}")
addLocal("[::1]:${DNSDIST_PORT}")
setACL({"0.0.0.0/0", "::/0"})
newServer({address="127.0.0.1:${PORT}", useProxyProtocol=true, tcpOnly=true})
getServer(0):setUp()
addAction(AllRule(), SetProxyProtocolValuesAction({[224]="${TLV_VALUE}"}))
`,
  );
  return startPeer(INTEROP_PEERS.dnsdist.path(), ['--supervised', '--disable-syslog', '-C', join(dir, 'dnsdist.conf')], DNSDIST_PORT);
});

for (const [feature, client] of [['v2 + TLVs', '127.0.0.2'], ['v2 IPv6 client', '::1']] as const) {
  matrix.cell(feature, async () => {
    const t = await truehop();
    await startDnsdist();
    const from = t.lines().length;
    // truehop's application answers HTTP, not DNS: the client's answer does not matter here,
    // what truehop decoded from dnsdist's header does.
    await dnsExchange(await connectFrom(DNSDIST_PORT, client === '::1' ? '::1' : '127.0.0.1', client));
    await t.waitLine(from, `src=${client}:`);
    await t.waitLine(from, `tlv_e0=${TLV_VALUE}`);
  });
}

matrix.cell('v1', () => Promise.resolve({ outcome: 'unsupported', note: 'dnsdist sends PROXY v2 only' }));
