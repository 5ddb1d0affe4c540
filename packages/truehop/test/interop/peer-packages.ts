// The interop peers this suite starts, as one list: the binary a test needs, the Debian package
// that ships it, and the system services that package starts on install (CI stops them: the
// tests run their own instances on their own ports). .ci/run installs exactly these packages.
// Kept separate so it can be folded into the project's peer registry when that exists.

export interface PeerPackage {
  /** Absolute path of the binary a test starts (or runs). */
  binary: string;
  /** The Debian package that installs it. */
  debianPackage: string;
  /** System services the package starts on install (stopped by CI). */
  services: readonly string[];
}

export const INTEROP_PEERS = {
  haproxy: { binary: '/usr/sbin/haproxy', debianPackage: 'haproxy', services: ['haproxy'] },
  nginx: { binary: '/usr/sbin/nginx', debianPackage: 'nginx', services: ['nginx'] },
  nginxStream: { binary: '/usr/lib/nginx/modules/ngx_stream_module.so', debianPackage: 'libnginx-mod-stream', services: [] },
  apache2: { binary: '/usr/sbin/apache2', debianPackage: 'apache2', services: ['apache2', 'apache-htcacheclean'] },
  varnish: { binary: '/usr/sbin/varnishd', debianPackage: 'varnish', services: ['varnish', 'varnishncsa'] },
  lighttpd: { binary: '/usr/sbin/lighttpd', debianPackage: 'lighttpd', services: ['lighttpd'] },
  squid: { binary: '/usr/sbin/squid', debianPackage: 'squid', services: ['squid'] },
  postfix: { binary: '/usr/sbin/postfix', debianPackage: 'postfix', services: ['postfix'] },
  dovecot: { binary: '/usr/sbin/dovecot', debianPackage: 'dovecot-imapd', services: ['dovecot'] },
  mariadb: { binary: '/usr/sbin/mariadbd', debianPackage: 'mariadb-server', services: ['mariadb'] },
  unbound: { binary: '/usr/sbin/unbound', debianPackage: 'unbound', services: ['unbound'] },
  pdnsRecursor: { binary: '/usr/sbin/pdns_recursor', debianPackage: 'pdns-recursor', services: ['pdns-recursor'] },
  dnsdist: { binary: '/usr/bin/dnsdist', debianPackage: 'dnsdist', services: ['dnsdist'] },
  trafficserver: { binary: '/usr/bin/traffic_server', debianPackage: 'trafficserver', services: ['trafficserver'] },
  proftpd: { binary: '/usr/sbin/proftpd', debianPackage: 'proftpd-core', services: ['proftpd'] },
  stunnel: { binary: '/usr/bin/stunnel4', debianPackage: 'stunnel4', services: ['stunnel4'] },
  curl: { binary: '/usr/bin/curl', debianPackage: 'curl', services: [] },
  openssl: { binary: '/usr/bin/openssl', debianPackage: 'openssl', services: [] },
} as const satisfies Record<string, PeerPackage>;

export type InteropPeerName = keyof typeof INTEROP_PEERS;
