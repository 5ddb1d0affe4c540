import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LogTarget } from '../model/config-model.js';
import { buildFramer, levelAllowed, SYSLOG_LEVELS } from './syslog-format.js';

const POS = { file: 't', line: 1, col: 1 };
const target = (partial: Partial<LogTarget>): LogTarget => ({ kind: 'udp', facility: 'local0', pos: POS, ...partial });
// 2026-11-07 09:05:03.250 local time
const AT = new Date(2026, 10, 7, 9, 5, 3, 250).getTime();

describe('syslog framing', () => {
  it('rfc3164: <PRI>, space-padded day, tag[pid]', () => {
    const frame = buildFramer(target({ facility: 'local0' }), 'truehop', 42);
    assert.equal(frame('hello', AT), '<134>Nov  7 09:05:03 truehop[42]: hello');
  });

  it('rfc5424: version 1, ISO timestamp, app and proc id', () => {
    const frame = buildFramer(target({ facility: 'local3', format: 'rfc5424' }), 'truehop', 42);
    assert.equal(frame('hi', AT), `<158>1 ${new Date(AT).toISOString()} - truehop 42 - - hi`);
  });

  it('short and raw', () => {
    assert.equal(buildFramer(target({ format: 'short', facility: 'daemon' }), 't', 1)('m', AT), '<30>m');
    assert.equal(buildFramer(target({ format: 'raw' }), 't', 1)('m', AT), 'm');
  });

  it('level filter: only messages at or above the target level pass', () => {
    assert.equal(levelAllowed(target({ level: 'notice' }), SYSLOG_LEVELS['info'] as number), false);
    assert.equal(levelAllowed(target({ level: 'info' }), SYSLOG_LEVELS['info'] as number), true);
    assert.equal(levelAllowed(target({ level: 'err' }), SYSLOG_LEVELS['alert'] as number), true);
    assert.equal(levelAllowed(target({}), SYSLOG_LEVELS['debug'] as number), true);
  });
});
