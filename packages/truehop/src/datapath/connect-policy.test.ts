// The decision after a failed connection, as HAProxy 2.6 makes it (backend.c
// back_handle_st_cer, stream_choose_redispatch): `retries` more attempts; with `option
// redispatch` the interval's retries, every retry of a round-robin-kind backend with another
// server UP, and any retry away from a DOWN server go elsewhere; a connection error waits the
// turn-around only when it would hit the same server again (or cannot avoid waiting).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AFTER_FAILURE, ConnectPolicy } from './connect-policy.js';

const ALONE = { serverUp: true, activeUp: 1 };
const WITH_OTHERS = { serverUp: true, activeUp: 3 };

describe('ConnectPolicy.afterFailure', () => {
  it('retries 3: three more attempts, then gives up', () => {
    const p = new ConnectPolicy(3, false);
    assert.deepEqual([1, 2, 3, 4].map((n) => p.afterFailure(n, 'refused', WITH_OTHERS)),
      [AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.GIVE_UP]);
    assert.equal(p.afterFailure(1, 'timeout', ALONE), AFTER_FAILURE.RETRY_NOW);
  });

  it('option redispatch, one server UP: the last retry goes elsewhere, after the turn-around', () => {
    const p = new ConnectPolicy(3, true);
    assert.deepEqual([1, 2, 3, 4].map((n) => p.afterFailure(n, 'refused', ALONE)),
      [AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.REDISPATCH_LATER, AFTER_FAILURE.GIVE_UP]);
    assert.deepEqual([1, 2, 3].map((n) => p.afterFailure(n, 'timeout', ALONE)),
      [AFTER_FAILURE.RETRY_NOW, AFTER_FAILURE.RETRY_NOW, AFTER_FAILURE.REDISPATCH]);
  });

  it('option redispatch, round-robin kind, another server UP: every retry redispatches at once', () => {
    const p = new ConnectPolicy(3, true, -1, true);
    assert.deepEqual([1, 2, 3].map((n) => p.afterFailure(n, 'refused', WITH_OTHERS)),
      [AFTER_FAILURE.REDISPATCH, AFTER_FAILURE.REDISPATCH, AFTER_FAILURE.REDISPATCH]);
  });

  it('leastconn/source/first (not round-robin kind): only the interval redispatches, and it waits', () => {
    const p = new ConnectPolicy(3, true, -1, false);
    assert.deepEqual([1, 2, 3].map((n) => p.afterFailure(n, 'refused', WITH_OTHERS)),
      [AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.RETRY_LATER, AFTER_FAILURE.REDISPATCH_LATER]);
  });

  it('a server its health check marked DOWN is never retried with option redispatch', () => {
    const down = { serverUp: false, activeUp: 2 };
    assert.equal(new ConnectPolicy(3, true, -1, false).afterFailure(1, 'refused', down), AFTER_FAILURE.REDISPATCH_LATER);
    assert.equal(new ConnectPolicy(3, true, -1, true).afterFailure(1, 'refused', down), AFTER_FAILURE.REDISPATCH);
    // Without option redispatch HAProxy keeps the server (the session is bound to it).
    assert.equal(new ConnectPolicy(3, false).afterFailure(1, 'refused', down), AFTER_FAILURE.RETRY_LATER);
  });

  it('option redispatch <interval>: P > 0 every Pth retry, N < 0 the |N|th before the end', () => {
    const every2 = new ConnectPolicy(4, true, 2, false);
    assert.deepEqual([1, 2, 3, 4].map((n) => every2.afterFailure(n, 'timeout', ALONE)),
      [AFTER_FAILURE.RETRY_NOW, AFTER_FAILURE.REDISPATCH, AFTER_FAILURE.RETRY_NOW, AFTER_FAILURE.REDISPATCH]);
    // retries 4, interval -2: retry % (4 + 1 - 2) === 0 → the third retry.
    const last2 = new ConnectPolicy(4, true, -2, false);
    assert.deepEqual([1, 2, 3, 4].map((n) => last2.afterFailure(n, 'timeout', ALONE)),
      [AFTER_FAILURE.RETRY_NOW, AFTER_FAILURE.RETRY_NOW, AFTER_FAILURE.REDISPATCH, AFTER_FAILURE.RETRY_NOW]);
  });

  it('the turn-around is min(1 s, timeout connect)', () => {
    const be = { retries: 3, redispatch: true, balance: 'leastconn', timeouts: { connect: 300 } } as const;
    assert.equal(ConnectPolicy.of(be as never).turnaroundMs, 300);
    assert.equal(ConnectPolicy.of({ ...be, timeouts: { connect: 5000 } } as never).turnaroundMs, 1000);
    assert.equal(ConnectPolicy.of({ ...be, redispatchInterval: 0 } as never).redispatch, false);
  });

  it('retries 0: the first failure ends the session', () => {
    assert.equal(new ConnectPolicy(0, true).afterFailure(1, 'refused', WITH_OTHERS), AFTER_FAILURE.GIVE_UP);
  });
});
