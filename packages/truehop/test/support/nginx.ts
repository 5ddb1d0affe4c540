// nginx started by tests and benchmarks as an unprivileged throw-away instance: every path it
// would write under /var/lib/nginx (request bodies, proxy and CGI buffers) goes to the run's
// own directory instead, so it needs no root and leaves nothing behind.

/** The `http { … }` lines that move nginx's temporary files into `dir`. */
export function nginxTempPaths(dir: string): string {
  return [
    `client_body_temp_path ${dir}/body;`,
    `proxy_temp_path ${dir}/proxy;`,
    `fastcgi_temp_path ${dir}/fastcgi;`,
    `uwsgi_temp_path ${dir}/uwsgi;`,
    `scgi_temp_path ${dir}/scgi;`,
  ].join('\n  ');
}

/**
 * The top of a throw-away nginx configuration: foreground, one worker, pid file and error log
 * (level info) under `dir` (which must hold a `logs/` folder); the `http { … }` block follows.
 */
export function nginxPreamble(dir: string): string {
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/logs/error.log info;`,
    'events { worker_connections 256; }',
  ].join('\n');
}
