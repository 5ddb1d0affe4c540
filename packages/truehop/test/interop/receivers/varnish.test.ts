// Varnish behind truehop: `-a 127.0.0.1:<port>,PROXY`; the VCL answers every request itself
// with `client.ip`, so the address Varnish took from the header comes back in the body.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver, httpGet } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { startPeer } from '../peer-process.js';

const PORT = INTEROP_PORTS.varnish;
const answers: string[] = [];
const get = httpGet();

describeReceiver({
  peer: 'Varnish',
  pkg: INTEROP_PEERS.varnish,
  port: PORT,
  async start(dir) {
    writeFileSync(
      join(dir, 'default.vcl'),
      `vcl 4.1;
backend default none;
sub vcl_recv { return (synth(200, "ok")); }
sub vcl_synth { set resp.body = "client=" + client.ip + " server=" + server.ip + "\\n"; return (deliver); }
`,
    );
    return startPeer(
      INTEROP_PEERS.varnish.path(),
      ['-F', '-n', join(dir, 'work'), '-a', `127.0.0.1:${PORT},PROXY`, '-f', join(dir, 'default.vcl'), '-s', 'malloc,16m', '-T', 'none', '-p', 'thread_pools=1', '-p', 'thread_pool_min=5'],
      PORT,
    );
  },
  async exchange(socket) {
    const answer = await get(socket);
    answers.push(answer);
    return answer;
  },
  observed: () => answers.join('\n'),
  checkLines: ['option httpchk GET /health'],
});
