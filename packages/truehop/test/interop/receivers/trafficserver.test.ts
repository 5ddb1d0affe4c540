// Apache Traffic Server behind truehop: a server port with the `pp` attribute and
// `proxy_protocol_allowlist` trusting truehop; a custom access log writes %<pps> (the source
// address from the PROXY header) for each request.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver, needsWholeHeader, httpGet } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { runToEnd, startPeer } from '../peer-process.js';
import { readLog } from './nginx-shared.js';

const PORT = INTEROP_PORTS.trafficserver;
const DEFAULT_CONFIG = '/etc/trafficserver';


/** Settings replaced in (or added to) Debian's records.config. */
function records(dir: string, defaults: string): string {
  const overrides: Record<string, string> = {
    'proxy.config.http.server_ports': `STRING ${PORT}:pp:ip-in=127.0.0.1`,
    'proxy.config.http.proxy_protocol_allowlist': 'STRING 127.0.0.1',
    'proxy.config.admin.user_id': 'STRING #-1',
    'proxy.config.log.max_secs_per_buffer': 'INT 1',
    'proxy.config.log.periodic_tasks_interval': 'INT 1',
    'proxy.config.log.logfile_dir': `STRING ${dir}/log`,
    'proxy.config.process_manager.mgmt_port': 'INT 0',
    'proxy.config.http.cache.http': 'INT 0',
    // Remapping stays required (Debian's default): ATS answers 404 itself and never resolves the Host.
    'proxy.config.diags.output.diag': 'STRING L',
  };
  const lines = defaults
    .split('\n')
    .filter((line) => !Object.keys(overrides).some((name) => line.includes(` ${name} `)));
  for (const [name, value] of Object.entries(overrides)) lines.push(`CONFIG ${name} ${value}`);
  return `${lines.join('\n')}\n`;
}

describeReceiver({
  peer: 'Apache Traffic Server',
  pkg: INTEROP_PEERS.trafficserver,
  port: PORT,
  async start(dir) {
    const etc = join(dir, 'etc');
    // Copied by cp: the test runner's sandbox does not let the test itself read /etc.
    await runToEnd('cp', ['-r', DEFAULT_CONFIG, etc], 10_000);
    for (const sub of ['log', 'run', 'cache']) mkdirSync(join(dir, sub));
    chmodSync(dir, 0o777);
    writeFileSync(join(etc, 'records.config'), records(dir, readFileSync(join(etc, 'records.config'), 'utf8')));
    writeFileSync(join(etc, 'storage.config'), `${dir}/cache 16M\n`);
    writeFileSync(join(etc, 'ip_allow.yaml'), 'ip_allow:\n  - apply: in\n    ip_addrs: [0/0, ::/0]\n    action: allow\n');
    writeFileSync(
      join(etc, 'logging.yaml'),
      "logging:\n  formats:\n    - name: interop\n      format: 'pps=%<pps> chi=%<chi> %<cqhm> %<cqup> %<pssc>'\n  logs:\n    - filename: interop\n      format: interop\n      mode: ascii\n",
    );
    writeFileSync(
      join(dir, 'runroot.yaml'),
      Object.entries({ prefix: dir, exec_prefix: '/usr', bindir: '/usr/bin', sbindir: '/usr/sbin', sysconfdir: etc, datadir: join(dir, 'cache'), includedir: '/usr/include', libdir: '/usr/lib/trafficserver', libexecdir: '/usr/lib/trafficserver/modules', localstatedir: dir, runtimedir: join(dir, 'run'), logdir: join(dir, 'log'), cachedir: join(dir, 'cache') })
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n') + '\n',
    );
    return startPeer(INTEROP_PEERS.trafficserver.path(), [`--run-root=${join(dir, 'runroot.yaml')}`], PORT);
  },
  exchange: httpGet(),
  observed: (dir) => readLog(join(dir, 'log', 'interop.log')),
  observeTimeoutMs: 10_000,
  known: {
    ...needsWholeHeader('ATS', 'the connection is closed, nothing logged'),
    'health check v2 (LOCAL)': {
      outcome: 'rejected',
      note: 'ATS closes a connection whose v2 header is LOCAL (16 bytes 0d0a0d0a000d0a515549540a 20 00 0000) without answering: an ATS bug, the spec (§2.2) says a receiver must accept LOCAL and use the real addresses. Workaround: `pp2-never-send-local` in truehop\'s global section (checks then send PROXY with the real addresses; proved by the test)',
      workaroundGlobal: 'pp2-never-send-local',
    },
  },
  checkLines: ['option tcp-check', `tcp-check send-binary ${Buffer.from('GET /health HTTP/1.0\r\n\r\n').toString('hex')}`, 'tcp-check expect string HTTP/1.'],
});
