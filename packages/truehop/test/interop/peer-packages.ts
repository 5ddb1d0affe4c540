// The interop peers this suite starts, asked of the project's one peer registry
// (scripts/peers.mjs, which the pretest and .ci/run install from): `skip()` says whether the
// peer is missing (with its package; never under CI=true, where the test then fails naming it)
// and `path()` where it is.
import { peerSkip, requirePeer } from '../support/require-peer.js';

export interface PeerPackage {
  /** The Debian package that installs it (shown in the matrix with its version). */
  debianPackage: string;
  /** false when installed (or under CI=true), else why the cells are skipped. */
  skip(): false | string;
  /** Absolute path of the binary (or module) a test starts; throws naming the package when missing. */
  path(): string;
}

export const INTEROP_PEERS = {
  haproxy: { debianPackage: 'haproxy', skip: () => peerSkip('haproxy'), path: () => requirePeer('haproxy') },
  nginx: { debianPackage: 'nginx', skip: () => peerSkip('nginx'), path: () => requirePeer('nginx') },
  nginxStream: { debianPackage: 'libnginx-mod-stream', skip: () => peerSkip('ngx_stream_module.so'), path: () => requirePeer('ngx_stream_module.so') },
  apache2: { debianPackage: 'apache2', skip: () => peerSkip('apache2'), path: () => requirePeer('apache2') },
  varnish: { debianPackage: 'varnish', skip: () => peerSkip('varnishd'), path: () => requirePeer('varnishd') },
  lighttpd: { debianPackage: 'lighttpd', skip: () => peerSkip('lighttpd'), path: () => requirePeer('lighttpd') },
  squid: { debianPackage: 'squid', skip: () => peerSkip('squid'), path: () => requirePeer('squid') },
  postfix: { debianPackage: 'postfix', skip: () => peerSkip('postfix'), path: () => requirePeer('postfix') },
  dovecot: { debianPackage: 'dovecot-imapd', skip: () => peerSkip('dovecot'), path: () => requirePeer('dovecot') },
  mariadb: { debianPackage: 'mariadb-server', skip: () => peerSkip('mariadbd'), path: () => requirePeer('mariadbd') },
  unbound: { debianPackage: 'unbound', skip: () => peerSkip('unbound'), path: () => requirePeer('unbound') },
  pdnsRecursor: { debianPackage: 'pdns-recursor', skip: () => peerSkip('pdns_recursor'), path: () => requirePeer('pdns_recursor') },
  dnsdist: { debianPackage: 'dnsdist', skip: () => peerSkip('dnsdist'), path: () => requirePeer('dnsdist') },
  trafficserver: { debianPackage: 'trafficserver', skip: () => peerSkip('traffic_server'), path: () => requirePeer('traffic_server') },
  stunnel: { debianPackage: 'stunnel4', skip: () => peerSkip('stunnel4'), path: () => requirePeer('stunnel4') },
  curl: { debianPackage: 'curl', skip: () => peerSkip('curl'), path: () => requirePeer('curl') },
  openssl: { debianPackage: 'openssl', skip: () => peerSkip('openssl'), path: () => requirePeer('openssl') },
} as const satisfies Record<string, PeerPackage>;
