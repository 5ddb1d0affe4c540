// Postfix behind truehop: an smtpd with `smtpd_upstream_proxy_protocol = haproxy`, run by its
// own master (`master -c <dir> -d`) over a private queue directory; smtpd logs
// `connect from unknown[<address>]` with the client address from the header.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bannerExchange, describeReceiver, needsWholeHeader } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { runToEnd, startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';

const PORT = INTEROP_PORTS.postfix;
const MASTER = '/usr/lib/postfix/sbin/master';


describeReceiver({
  peer: 'Postfix',
  pkg: INTEROP_PEERS.postfix,
  port: PORT,
  async start(dir) {
    const queue = join(dir, 'queue');
    for (const sub of ['pid', 'private', 'public']) mkdirSync(join(queue, sub), { recursive: true });
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'maillog'), '');
    // Postfix's unprivileged daemons (smtpd, postlogd) run as `postfix`.
    await runToEnd('chown', ['postfix', join(queue, 'private'), join(queue, 'public'), join(dir, 'data'), join(dir, 'maillog')], 5_000);
    writeFileSync(
      join(dir, 'main.cf'),
      `compatibility_level = 3.6
queue_directory = ${queue}
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = interop.test
mydomain = test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = all
alias_maps =
alias_database =
smtpd_banner = $myhostname ESMTP
# Loopback only: no DNS lookup of the client's name.
smtpd_peername_lookup = no
maillog_file = ${dir}/maillog
maillog_file_prefixes = ${dir}
`,
    );
    writeFileSync(
      join(dir, 'master.cf'),
      `127.0.0.1:${PORT} inet n - n - 4 smtpd -o smtpd_upstream_proxy_protocol=haproxy
postlog unix-dgram n - n - 1 postlogd
anvil unix - - n - 1 anvil
proxymap unix - - n - - proxymap
trivial-rewrite unix - - n - - trivial-rewrite
`,
    );
    return startPeer(MASTER, ['-c', dir, '-d'], PORT);
  },
  exchange: bannerExchange(/^220 /, 'QUIT\r\n', /^221 /m),
  observed: (dir) => readLog(join(dir, 'maillog')),
  checkLines: ['option tcp-check', 'tcp-check expect string 220'],
  known: {
    ...needsWholeHeader('Postfix', 'maillog: "haproxy read: missing protocol header terminator: PROXY TCP4 1", "short version 2 protocol header"'),
  },
});
