// Apache 2 behind truehop: mod_remoteip with `RemoteIPProxyProtocol On`; the access log's %a is
// the client address from the header, %{c}a the connection's own peer (truehop).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver, httpGet } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';
import { writeDocumentRoot } from './http-files.js';

const PORT = INTEROP_PORTS.apache2;
const MODULES = '/usr/lib/apache2/modules';

describeReceiver({
  peer: 'Apache 2 (mod_remoteip)',
  pkg: INTEROP_PEERS.apache2,
  port: PORT,
  async start(dir) {
    const root = writeDocumentRoot(dir);
    writeFileSync(
      join(dir, 'apache2.conf'),
      `ServerRoot ${dir}
ServerName interop.test
LoadModule mpm_event_module ${MODULES}/mod_mpm_event.so
LoadModule authz_core_module ${MODULES}/mod_authz_core.so
LoadModule remoteip_module ${MODULES}/mod_remoteip.so
User www-data
Group www-data
Listen 127.0.0.1:${PORT}
PidFile ${dir}/apache2.pid
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogLevel info
LogFormat "remote=%a conn=%{c}a \\"%r\\" %>s" pp
CustomLog ${dir}/access.log pp
RemoteIPProxyProtocol On
DocumentRoot ${root}
<Directory ${root}>
  Require all granted
</Directory>
`,
    );
    return startPeer(INTEROP_PEERS.apache2.path(), ['-X', '-d', dir, '-f', join(dir, 'apache2.conf')], PORT);
  },
  exchange: httpGet(),
  observed: (dir) => readLog(join(dir, 'access.log')),
  checkLines: ['option httpchk GET /health'],
});
