// The interop peers this suite starts: the absolute path a test spawns and the Debian package
// that ships it (whether it is installed is asked of dpkg). The project's one peer registry,
// scripts/peers.mjs, lists the same packages with their services, so the pretest and .ci/run
// install them and stop those services; peer-registry.test.ts checks the two agree.

export interface PeerPackage {
  /** Absolute path of the binary a test starts (or runs). */
  binary: string;
  /** The Debian package that installs it. */
  debianPackage: string;
}

export const INTEROP_PEERS = {
  haproxy: { binary: '/usr/sbin/haproxy', debianPackage: 'haproxy' },
  nginx: { binary: '/usr/sbin/nginx', debianPackage: 'nginx' },
  nginxStream: { binary: '/usr/lib/nginx/modules/ngx_stream_module.so', debianPackage: 'libnginx-mod-stream' },
  apache2: { binary: '/usr/sbin/apache2', debianPackage: 'apache2' },
  varnish: { binary: '/usr/sbin/varnishd', debianPackage: 'varnish' },
  lighttpd: { binary: '/usr/sbin/lighttpd', debianPackage: 'lighttpd' },
  squid: { binary: '/usr/sbin/squid', debianPackage: 'squid' },
  postfix: { binary: '/usr/sbin/postfix', debianPackage: 'postfix' },
  dovecot: { binary: '/usr/sbin/dovecot', debianPackage: 'dovecot-imapd' },
  mariadb: { binary: '/usr/sbin/mariadbd', debianPackage: 'mariadb-server' },
  unbound: { binary: '/usr/sbin/unbound', debianPackage: 'unbound' },
  pdnsRecursor: { binary: '/usr/sbin/pdns_recursor', debianPackage: 'pdns-recursor' },
  dnsdist: { binary: '/usr/bin/dnsdist', debianPackage: 'dnsdist' },
  trafficserver: { binary: '/usr/bin/traffic_server', debianPackage: 'trafficserver' },
  stunnel: { binary: '/usr/bin/stunnel4', debianPackage: 'stunnel4' },
  curl: { binary: '/usr/bin/curl', debianPackage: 'curl' },
  openssl: { binary: '/usr/bin/openssl', debianPackage: 'openssl' },
} as const satisfies Record<string, PeerPackage>;

export type InteropPeerName = keyof typeof INTEROP_PEERS;
