// What the nginx cells share: starting nginx, the split-header finding, reading a log file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTEROP_PEERS } from '../peer-packages.js';
import { startPeer, type PeerProcess } from '../peer-process.js';

/** What nginx logs when a header arrives split (its first read alone is parsed). */
export const NGINX_SPLIT_EVIDENCE = 'error.log: broken header: "PROXY TCP4 127.0.0.6 "';

/** A log file's text, '' before the peer created it. */
export function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Starts nginx in the foreground (one process, no master) from `body` (its http or stream
 * block) in `dir`, waiting for `port`; logs go to `dir/logs`.
 */
export function startNginx(dir: string, port: number, body: string, options: { stream?: boolean } = {}): Promise<PeerProcess> {
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `${options.stream === true ? `load_module ${INTEROP_PEERS.nginxStream.path()};\n` : ''}daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log info;
events { worker_connections 64; }
${body}`,
  );
  return startPeer(INTEROP_PEERS.nginx.path(), ['-p', dir, '-c', join(dir, 'nginx.conf')], port);
}
