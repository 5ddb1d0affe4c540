// The pretest's second half: makes the real peers of scripts/peers.mjs available. Missing
// ones are installed with apt-get when this runs as root on a machine that has it (what
// `npm test` on a fresh Debian box or container does, saying so). When that is impossible the
// tests that need them are skipped, and the test runner ends with one summary naming each
// missing peer, how many tests it skipped and the command that installs it. Under CI=true a
// missing peer is a failure here, before any test runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findPeer, installCommand, missingPeers, serviceNames } from './peers.mjs';

/** apt-get waits this long for another dpkg run (another install on the machine) to finish. */
const DPKG_LOCK_WAIT_S = 300;

function canInstall() {
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
}

function aptGet(args) {
  const result = spawnSync('apt-get', ['-o', `DPkg::Lock::Timeout=${DPKG_LOCK_WAIT_S}`, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function install(peers) {
  const packages = [...new Set(peers.map((p) => p.debian))];
  console.error(`truehop setup: installing the missing test peers with apt-get (running as root): ${packages.join(' ')}`);
  const args = ['install', '-y', '--no-install-recommends', ...packages];
  // A fresh container has no package lists yet: update once and retry.
  if (!aptGet(args) && !(aptGet(['update']) && aptGet(args))) {
    console.error('truehop setup: apt-get could not install them');
    return;
  }
  // Debian starts some of them as system services; tests run their own instances on their
  // own ports, so stop the system ones just installed to keep the CPU (and port 80) free.
  for (const peer of peers.filter((p) => findPeer(p.binary) !== undefined)) {
    for (const name of serviceNames(peer)) spawnSync('service', [name, 'stop'], { stdio: 'ignore' });
  }
}

let missing = missingPeers();
if (missing.length > 0 && canInstall()) {
  install(missing);
  missing = missingPeers();
}
if (missing.length > 0) {
  const names = missing.map((p) => p.binary).join(', ');
  if (process.env.CI === 'true') {
    console.error(`truehop setup: CI=true and these test peers are missing: ${names}. Install them: ${installCommand(missing)}`);
    process.exit(1);
  }
  console.error(`truehop setup: missing test peers: ${names}. The tests that need them will be skipped ` +
    `(summary at the end). To run them: sudo ${installCommand(missing)}`);
}
