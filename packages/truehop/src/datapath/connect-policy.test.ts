// The decision after a failed connection, as HAProxy makes it: `retries` more attempts, the
// last one redispatched with `option redispatch`, a timeout retried at once and a refusal
// after the turn-around delay.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AFTER_FAILURE, ConnectPolicy } from './connect-policy.js';

describe('ConnectPolicy.afterFailure', () => {
  it('retries 3: three more attempts, then gives up', () => {
    const p = new ConnectPolicy(3, false);
    assert.deepEqual([1, 2, 3, 4].map((n) => p.afterFailure(n, 'refused')),
      [AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.GIVE_UP]);
    assert.equal(p.afterFailure(1, 'timeout'), AFTER_FAILURE.RETRY_NOW);
  });

  it('option redispatch: the last retry goes to another server', () => {
    const p = new ConnectPolicy(2, true);
    assert.deepEqual([1, 2, 3].map((n) => p.afterFailure(n, 'timeout')),
      [AFTER_FAILURE.RETRY_NOW, AFTER_FAILURE.REDISPATCH, AFTER_FAILURE.GIVE_UP]);
  });

  it('retries 0: the first failure ends the session', () => {
    assert.equal(new ConnectPolicy(0, true).afterFailure(1, 'refused'), AFTER_FAILURE.GIVE_UP);
  });
});
