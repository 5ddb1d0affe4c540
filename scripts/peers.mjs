// The one registry of the real programs ("peers") that tests and benchmarks run: which binary,
// which Debian package installs it, what uses it. Read by the pretest (scripts/ensure-peers.mjs,
// installs or reports missing peers), the test runner (the end-of-run summary), .ci/run (the
// packages it installs), and the tests themselves through each package's test helper
// (requirePeer / peerSkip). Adding a peer is one line in PEERS.
//
// Plain Node on purpose: it runs before any dependency is installed or anything is built.
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * binary: the program's name, looked up on PATH and in the sbin directories (nginx and
 * haproxy live in /usr/sbin, which is not on an unprivileged user's PATH);
 * debian: the package that installs it; service: Debian starts it as a system service on
 * install (stopped again: tests run their own instances) — true when the service is named
 * like the binary, else the list of service names; path: for a peer that is not a program
 * on PATH (an nginx module), its file; usedBy: what skips without it.
 */
export const PEERS = [
  { binary: 'haproxy', debian: 'haproxy', service: true, usedBy: 'HAProxy interop and differential tests; npm run bench, bench:node' },
  { binary: 'nginx', debian: 'nginx', service: true, usedBy: 'the nginx proxy_protocol receiver test; npm run bench' },
  { binary: 'curl', debian: 'curl', usedBy: 'curl --haproxy-protocol tests, the README commands' },
  { binary: 'openssl', debian: 'openssl', usedBy: 'throw-away certificates for the TLS tests' },
  { binary: 'python3', debian: 'python3', usedBy: 'the connect-timeout test (a listener that never accepts)' },
  { binary: 'prlimit', debian: 'util-linux', usedBy: 'the descriptor-budget test (a daemon under a low RLIMIT_NOFILE)' },
  { binary: 'ss', debian: 'iproute2', usedBy: 'the paused-listener test (how many connections wait in a listening socket\'s accept queue)' },
  { binary: 'strace', debian: 'strace', usedBy: 'the syscall-budget test (what one proxied connection costs the raw transport in syscalls)' },
  { binary: 'ps', debian: 'procps', usedBy: 'the memory-after-load test (the daemon\'s RSS, which the sandboxed test cannot read from /proc)' },
  { binary: 'wrk', debian: 'wrk', usedBy: 'npm run bench, bench:node' },
  { binary: 'git', debian: 'git', usedBy: 'the repository checks (git ls-files) of scripts/test' },
  // The stats page and the Prometheus exporter (docs/stats-page.md, docs/metrics.md).
  { binary: 'prometheus', debian: 'prometheus', service: true, usedBy: 'the exporter test: a real Prometheus scrapes truehop and answers a query' },
  { binary: 'promtool', debian: 'prometheus', usedBy: "the exporter test: 'promtool check metrics' on truehop's output" },
  { binary: 'chromium', debian: 'chromium', usedBy: 'the stats page in a headless browser (playwright-core drives the system Chromium)' },
  // The interoperability matrix (packages/truehop/test/interop, docs/interop.md).
  { binary: 'ngx_stream_module.so', path: '/usr/lib/nginx/modules/ngx_stream_module.so', debian: 'libnginx-mod-stream', usedBy: 'interop: nginx stream' },
  { binary: 'apache2', debian: 'apache2', service: ['apache2', 'apache-htcacheclean'], usedBy: 'interop: Apache mod_remoteip' },
  { binary: 'varnishd', debian: 'varnish', service: ['varnish', 'varnishncsa'], usedBy: 'interop: Varnish' },
  { binary: 'lighttpd', debian: 'lighttpd', service: true, usedBy: 'interop: lighttpd mod_extforward' },
  { binary: 'squid', debian: 'squid', service: true, usedBy: 'interop: Squid' },
  { binary: 'postfix', debian: 'postfix', service: true, usedBy: 'interop: Postfix' },
  { binary: 'dovecot', debian: 'dovecot-imapd', service: true, usedBy: 'interop: Dovecot' },
  { binary: 'mariadbd', debian: 'mariadb-server', service: ['mariadb'], usedBy: 'interop: MariaDB' },
  { binary: 'unbound', debian: 'unbound', service: true, usedBy: 'interop: Unbound' },
  { binary: 'pdns_recursor', debian: 'pdns-recursor', service: ['pdns-recursor'], usedBy: 'interop: PowerDNS Recursor' },
  { binary: 'dnsdist', debian: 'dnsdist', service: true, usedBy: 'interop: dnsdist' },
  { binary: 'traffic_server', debian: 'trafficserver', service: ['trafficserver'], usedBy: 'interop: Apache Traffic Server' },
  { binary: 'stunnel4', debian: 'stunnel4', service: true, usedBy: 'interop: stunnel' },
];

/** The system services Debian starts for `entry` on install. */
export function serviceNames(entry) {
  if (entry.service === true) return [entry.binary];
  return Array.isArray(entry.service) ? entry.service : [];
}

/** The directories searched besides PATH. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

/** The registry entry for `binary`; an unregistered name is a programming error. */
export function peer(binary) {
  const entry = PEERS.find((p) => p.binary === binary);
  if (entry === undefined) throw new Error(`'${binary}' is not a registered peer: add it to scripts/peers.mjs`);
  return entry;
}

/** Absolute path of an executable `binary`, or undefined. */
export function findPeer(binary) {
  const entry = peer(binary);
  if (entry.path !== undefined) {
    try {
      accessSync(entry.path, constants.F_OK);
      return entry.path;
    } catch {
      return undefined;
    }
  }
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '').concat(SBIN);
  for (const dir of dirs) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here: keep looking
    }
  }
  return undefined;
}

/** The registered peers that are not installed. */
export function missingPeers() {
  return PEERS.filter((p) => findPeer(p.binary) === undefined);
}

/** The Debian command that installs `entries` (all peers when omitted). */
export function installCommand(entries = PEERS) {
  const packages = [...new Set(entries.map((p) => p.debian))];
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** The start of every skip reason given for a missing peer (the runner counts them). */
export const MISSING_PEER = 'missing peer';

/** In CI every peer must exist: a missing one fails the tests that need it. */
function peersRequired() {
  return process.env.CI === 'true';
}

/**
 * For a test's `skip` option: false when `binary` is installed (or under CI=true, where the
 * test then runs and fails naming the package); otherwise the reason, 'missing peer <name>: …'.
 */
export function peerSkip(...binaries) {
  if (peersRequired()) return false;
  const missing = binaries.filter((b) => findPeer(b) === undefined);
  if (missing.length === 0) return false;
  return `${MISSING_PEER} ${missing.join(', ')}: ${installCommand(missing.map(peer))}`;
}

/** The path of `binary`; throws, naming the package to install, when it is missing. */
export function requirePeer(binary) {
  const path = findPeer(binary);
  if (path !== undefined) return path;
  throw new Error(`${binary} is required by this test but is missing: ${installCommand([peer(binary)])} ` +
    '(npm test installs it when run as root; .ci/run always does)');
}

// `node scripts/peers.mjs debian-packages` prints the packages, `services` the system
// services they start, for shell scripts (.ci/run).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'debian-packages') console.log([...new Set(PEERS.map((p) => p.debian))].join(' '));
  if (process.argv[2] === 'services') console.log(PEERS.flatMap(serviceNames).join(' '));
}
