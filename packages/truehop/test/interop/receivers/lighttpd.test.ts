// lighttpd behind truehop: mod_extforward with `extforward.hap-PROXY = "enable"`; the access
// log's %h is the client address the header carried.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver, needsWholeHeader, httpGet } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';
import { writeDocumentRoot } from './http-files.js';

const PORT = INTEROP_PORTS.lighttpd;


describeReceiver({
  peer: 'lighttpd (mod_extforward)',
  pkg: INTEROP_PEERS.lighttpd,
  port: PORT,
  async start(dir) {
    const root = writeDocumentRoot(dir);
    writeFileSync(
      join(dir, 'lighttpd.conf'),
      `server.modules = ("mod_extforward", "mod_accesslog")
server.document-root = "${root}"
server.bind = "127.0.0.1"
server.port = ${PORT}
server.errorlog = "${dir}/error.log"
accesslog.filename = "${dir}/access.log"
accesslog.format = "remote=%h \\"%r\\" %>s"
extforward.forwarder = ("127.0.0.1" => "trust")
extforward.hap-PROXY = "enable"
`,
    );
    return startPeer(INTEROP_PEERS.lighttpd.path(), ['-D', '-f', join(dir, 'lighttpd.conf')], PORT);
  },
  exchange: httpGet(),
  observed: (dir) => readLog(join(dir, 'access.log')),
  checkLines: ['option httpchk GET /health'],
  known: {
    ...needsWholeHeader('lighttpd', 'error.log: "hap-PROXY proto received invalid/unsupported request"'),
  },
});
