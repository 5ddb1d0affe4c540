import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_V2_HEADER_BYTES, MAX_V2_HEADER_BYTES } from '@truehop/proxy-protocol';
import { isProxyServerError } from './errors.js';
import { HEADER_TIMEOUT_MS, admit, compilePolicy } from './policy.js';
import type { AcceptProxyOptions } from './policy.js';

describe('compilePolicy', () => {
  it('has safe defaults: require a header, 5 s to send it, 16 KiB cap', () => {
    const policy = compilePolicy();
    assert.equal(policy.mode, 'require');
    assert.equal(policy.headerTimeoutMs, HEADER_TIMEOUT_MS);
    assert.equal(HEADER_TIMEOUT_MS, 5000);
    assert.equal(policy.maxHeaderBytes, DEFAULT_MAX_V2_HEADER_BYTES);
    assert.equal(policy.isTrusted, null);
    assert.equal(policy.onReject, null);
    assert.ok(Object.isFrozen(policy));
  });

  it('refuses invalid options with INVALID_OPTION', () => {
    const bad: unknown[] = [
      { mode: 'sometimes' },
      { headerTimeoutMs: 0 },
      { headerTimeoutMs: -1 },
      { headerTimeoutMs: 1.5 },
      { headerTimeoutMs: Infinity },
      { headerTimeoutMs: '5000' },
      { maxHeaderBytes: 15 },
      { maxHeaderBytes: MAX_V2_HEADER_BYTES + 1 },
      { onReject: 'log' },
      { trusted: ['10.0.0.0/99'] },
      { trusted: [] }, // trusts nobody: every connection would be refused
      { trust: ['10.0.0.0/8'] }, // a typo of a safety option must not pass silently
      null,
    ];
    for (const options of bad) {
      assert.throws(() => compilePolicy(options as AcceptProxyOptions), (error: unknown) => {
        assert.ok(isProxyServerError(error), String(error));
        assert.equal(error.code, 'INVALID_OPTION');
        return true;
      }, JSON.stringify(options));
    }
  });

  it('accepts the limits themselves', () => {
    assert.equal(compilePolicy({ maxHeaderBytes: 16 }).maxHeaderBytes, 16);
    assert.equal(compilePolicy({ maxHeaderBytes: MAX_V2_HEADER_BYTES }).maxHeaderBytes, MAX_V2_HEADER_BYTES);
    assert.equal(compilePolicy({ headerTimeoutMs: 1 }).headerTimeoutMs, 1);
  });
});

describe('admit', () => {
  const trusted = ['127.0.0.2/32'];
  it('require mode: a trusted peer must send a header, any other peer is refused unread', () => {
    const policy = compilePolicy({ trusted });
    assert.equal(admit(policy, '127.0.0.2'), 'header');
    assert.equal(admit(policy, '127.0.0.1'), 'reject');
    assert.equal(admit(policy, undefined), 'reject');
  });

  it('require mode without a list trusts every peer', () => {
    assert.equal(admit(compilePolicy(), '203.0.113.9'), 'header');
  });

  it('optional mode: trusted may send a header or not, untrusted is served plain and may not send one', () => {
    const policy = compilePolicy({ trusted, mode: 'optional' });
    assert.equal(admit(policy, '127.0.0.2'), 'header-or-plain');
    assert.equal(admit(policy, '::ffff:127.0.0.2'), 'header-or-plain');
    assert.equal(admit(policy, '127.0.0.1'), 'plain-only');
  });
});
