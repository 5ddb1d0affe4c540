// MariaDB behind truehop: `proxy-protocol-networks=127.0.0.1`. An init file removes every
// account, so MariaDB answers every client with its own error packet "Host '<address>' is not
// allowed to connect": the address it took from the header, echoed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeReceiver, exchangeText } from '../receiver.js';
import { INTEROP_PEERS } from '../peer-packages.js';
import { INTEROP_PORTS } from '../ports.js';
import { runToEnd, startPeer } from '../peer-process.js';

const PORT = INTEROP_PORTS.mariadb;
const INSTALL_DB = '/usr/bin/mariadb-install-db';
/** mariadb-install-db creates the system tables: several seconds on a loaded machine. */
const INSTALL_DB_TIMEOUT_MS = 60_000;
const answers: string[] = [];

describeReceiver({
  peer: 'MariaDB',
  pkg: INTEROP_PEERS.mariadb,
  port: PORT,
  async start(dir) {
    const data = join(dir, 'data');
    await runToEnd(INSTALL_DB, ['--no-defaults', `--datadir=${data}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal'], INSTALL_DB_TIMEOUT_MS);
    writeFileSync(join(dir, 'init.sql'), 'DELETE FROM mysql.global_priv;\nFLUSH PRIVILEGES;\n');
    return startPeer(
      INTEROP_PEERS.mariadb.path(),
      [
        '--no-defaults', `--datadir=${data}`, '--user=root', `--socket=${join(dir, 'mysqld.sock')}`, `--pid-file=${join(dir, 'mysqld.pid')}`,
        '--bind-address=127.0.0.1', `--port=${PORT}`, '--proxy-protocol-networks=127.0.0.1', '--skip-name-resolve',
        '--skip-grant-tables=0', '--innodb-buffer-pool-size=8M', '--skip-log-bin', `--log-error=${join(dir, 'error.log')}`, `--init-file=${join(dir, 'init.sql')}`,
      ],
      PORT,
    );
  },
  async exchange(socket) {
    const answer = await exchangeText(socket, '', (a) => a.includes('not allowed'));
    answers.push(answer);
    return answer;
  },
  observed: () => answers.join('\n'),
  // 'MariaDB' is in both its greeting (LOCAL: MariaDB treats the connection as local) and its refusal.
  checkLines: ['option tcp-check', 'tcp-check expect string MariaDB'],
});
