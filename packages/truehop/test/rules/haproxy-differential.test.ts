// Differential check of load-time verdicts against the HAProxy installed from Debian (2.6):
// for each frontend snippet, `haproxy -c` and the expression engine must agree on "valid" vs
// "alert". Only keywords HAProxy 2.6 has are used here (fc_pp_tlv, le2dec… came later and are
// covered by the unit tests). Skipped (and counted) when HAProxy is not installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfigText } from '../../src/config/load-config.js';
import { haproxyBin, haproxySkip } from '../support/haproxy.js';

const HAPROXY_TIMEOUT_MS = 10_000;

type Verdict = 'valid' | 'alert';

/** [frontend lines, verdict both must give] */
const AGREE: readonly [readonly string[], Verdict][] = [
  [['acl a str(x),hex eq 01', 'tcp-request content reject if a'], 'valid'],
  [['acl a str(eq) eq 01', 'tcp-request content reject if a'], 'valid'],
  [['acl a bin(01) -m bin 01', 'tcp-request content reject if a'], 'valid'],
  [['acl a bin(01) 01', 'tcp-request content reject if a'], 'alert'],
  [['acl a var(txn.x) foo', 'tcp-request content reject if a'], 'alert'],
  [['acl a var(txn.x) -m str foo', 'tcp-request content reject if a'], 'valid'],
  [['acl a always_true 1', 'tcp-request content reject if a'], 'valid'],
  [['acl a int(3) -m bool', 'tcp-request content reject if a'], 'valid'],
  [['acl a str(x) -m int eq 1 2', 'tcp-request content reject if a'], 'valid'],
  [['acl a src 10.0.0.0/8 ::1 192.168.0.0/255.255.0.0', 'tcp-request connection reject if a'], 'valid'],
  [['acl a src 10.0.0.300', 'tcp-request content reject if a'], 'alert'],
  [['acl a src_port 1:1024 2000: :10', 'tcp-request content reject if a'], 'valid'],
  [['acl a src_port abc', 'tcp-request content reject if a'], 'alert'],
  [['acl a src_port -5', 'tcp-request content reject if a'], 'alert'],
  [['acl a src_port -- -5', 'tcp-request content reject if a'], 'valid'],
  [['acl a str(x) -m nope x', 'tcp-request content reject if a'], 'alert'],
  [['acl a str(abc),upper -m beg AB', 'tcp-request content reject if a'], 'valid'],
  [['acl a str(x) -m reg -i ^a.*$', 'tcp-request content reject if a'], 'valid'],
  [['acl a str(x),field(2,_,0) -m found', 'tcp-request content reject if a'], 'valid'],
  [['acl a str(x),field(0,_) -m found', 'tcp-request content reject if a'], 'alert'],
  [['acl a src,ipmask(24) -m found', 'tcp-request content reject if a'], 'valid'],
  [['acl a src,ipmask(33) -m found', 'tcp-request content reject if a'], 'alert'],
  [['acl a str(123456789),crc32c 3808858755', 'tcp-request content reject if a'], 'valid'],
  [['acl a bin(zz) -m found', 'tcp-request content reject if a'], 'alert'],
  [['acl a str(x),bytes(x) -m found', 'tcp-request content reject if a'], 'alert'],
  [['acl a no_such_fetch', 'tcp-request content reject if a'], 'alert'],
  [['acl a str(x),no_such_conv -m found', 'tcp-request content reject if a'], 'alert'],
  [['tcp-request content reject if nope'], 'alert'],
  [['tcp-request content reject if TRUE LOCALHOST'], 'valid'],
  [['tcp-request content reject if { var(sess.x) -m found } { always_true } || ! { always_false }'], 'valid'],
  [['tcp-request content reject if { always_true } ||'], 'valid'],
  [['tcp-request connection expect-proxy layer4 if { src 10.0.0.0/8 }'], 'valid'],
  [['tcp-request connection expect-proxy layer7'], 'alert'],
  [['tcp-request content expect-proxy layer4'], 'alert'],
  [['tcp-request inspect-delay 5s', 'tcp-request content accept if { str(a) -m found }'], 'valid'],
  [['tcp-request inspect-delay 5x'], 'alert'],
  [['tcp-request connection set-var(sess.x) int(1)'], 'valid'],
  [['tcp-request connection set-var(txn.x) int(1)'], 'valid'],
  [['tcp-request connection set-var(sess.x) be_name'], 'alert'],
  [['tcp-request session set-var(sess.x) src,ipmask(24)', 'tcp-request content unset-var(sess.x)'], 'valid'],
  [['tcp-request content set-var(sess.x) str(a),field(2,:/)'], 'valid'],
  [['tcp-request content acept'], 'alert'],
];

/** Where truehop is deliberately stricter (docs/expression-engine.md): HAProxy only warns or accepts. */
const STRICTER: readonly (readonly string[])[] = [
  // HAProxy: "will never match" warning; truehop: an alert naming the phase.
  ['tcp-request connection reject if { be_name be }'],
  // HAProxy resolves host names in ip patterns at start-up; truehop never does.
  ['acl a src localhost', 'tcp-request content reject if a'],
];

const dir = haproxySkip === false ? mkdtempSync(join(tmpdir(), 'truehop-diff-')) : '';
after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

function haproxyVerdict(lines: readonly string[], n: number): Verdict {
  const file = join(dir, `case-${n}.cfg`);
  writeFileSync(file, configText(lines));
  const r = spawnSync(haproxyBin(), ['-c', '-q', '-f', file], { timeout: HAPROXY_TIMEOUT_MS, encoding: 'utf8' });
  return r.status === 0 ? 'valid' : 'alert';
}

/** The one configuration both judges read: the lines inside a minimal frontend. */
function configText(lines: readonly string[]): string {
  return [
    'defaults', '  mode tcp', '  timeout client 1s', '  timeout server 1s', '  timeout connect 1s',
    'frontend f', '  bind 127.0.0.1:1', ...lines.map((l) => `  ${l}`), '  default_backend b',
    'backend b', '  server s 127.0.0.1:2', '',
  ].join('\n');
}

function truehopVerdict(lines: readonly string[]): Verdict {
  // The same text through truehop's real loader (keywords, resolve, validate, compile).
  const r = loadConfigText([{ file: 'case.cfg', text: configText(lines) }], { env: {} });
  return r.diagnostics.some((d) => d.severity === 'alert') ? 'alert' : 'valid';
}

describe('load-time verdicts agree with HAProxy 2.6 (haproxy -c)', { skip: haproxySkip }, () => {
  AGREE.forEach(([lines, want], n) => {
    it(lines.join(' ⏎ '), () => {
      assert.equal(haproxyVerdict(lines, n), want, 'HAProxy');
      assert.equal(truehopVerdict(lines), want, 'truehop');
    });
  });
  STRICTER.forEach((lines, n) => {
    it(`stricter on purpose: ${lines.join(' ⏎ ')}`, () => {
      assert.equal(haproxyVerdict(lines, 1000 + n), 'valid', 'HAProxy');
      assert.equal(truehopVerdict(lines), 'alert', 'truehop');
    });
  });
});
