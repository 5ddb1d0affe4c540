// Dovecot (IMAP) behind truehop: an imap-login listener with `haproxy = yes` and
// `haproxy_trusted_networks = 127.0.0.1`; the login process logs the client as rip=<address>.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bannerExchange, describeReceiver, needsWholeHeader } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';

const PORT = INTEROP_PORTS.dovecot;


describeReceiver({
  peer: 'Dovecot (imap)',
  pkg: INTEROP_PEERS.dovecot,
  port: PORT,
  async start(dir) {
    mkdirSync(join(dir, 'run'));
    mkdirSync(join(dir, 'state'));
    writeFileSync(
      join(dir, 'dovecot.conf'),
      `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
haproxy_trusted_networks = 127.0.0.1
login_log_format_elements = rip=%r lip=%l
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/home
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imap_haproxy {
    address = 127.0.0.1
    port = ${PORT}
    haproxy = yes
  }
}
`,
    );
    return startPeer(INTEROP_PEERS.dovecot.path(), ['-F', '-c', join(dir, 'dovecot.conf')], PORT);
  },
  exchange: bannerExchange(/^\* OK/, 'a LOGOUT\r\n', /^a OK/m),
  observed: (dir) => readLog(join(dir, 'dovecot.log')),
  checkLines: ['option tcp-check', 'tcp-check expect string OK'],
  known: {
    ...needsWholeHeader('Dovecot', 'log: "haproxy: Client disconnected: Failed to read full header"'),
  },
});
