// The idle sweeper: a watched session is checked periodically (never before its timeout,
// within a few sweep periods after it), stops being checked once unwatched, and the sweeper
// holds no timer when nothing is watched (so it never keeps the process alive or spins).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdleSweeper } from './idle-sweeper.js';
import { rethrow } from './internal-error.js';

const TIMEOUT_MS = 80;

function watchedSession(sweeper: IdleSweeper, startedAt: number) {
  const s = {
    firedAfterMs: -1,
    checks: 0,
    checkIdle(now: number): void {
      s.checks++;
      if (now - startedAt >= TIMEOUT_MS && s.firedAfterMs < 0) {
        s.firedAfterMs = now - startedAt;
        sweeper.unwatch(s);
      }
    },
    onInternalError: rethrow,
  };
  return s;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('IdleSweeper', () => {
  it('checks a watched session until it times out, then stops', async () => {
    const sweeper = new IdleSweeper();
    const s = watchedSession(sweeper, performance.now());
    sweeper.watch(s, TIMEOUT_MS);
    // Bounded wait: far beyond timeout + a sweep period.
    for (let i = 0; i < 100 && s.firedAfterMs < 0; i++) await sleep(10);
    assert.ok(s.firedAfterMs >= TIMEOUT_MS, `fired after ${s.firedAfterMs} ms`);
    assert.ok(s.checks >= 2, 'checked periodically, not once');
    assert.equal(sweeper.size, 0);
    const checks = s.checks;
    await sleep(50);
    assert.equal(s.checks, checks, 'no check after unwatch');
  });

  it('a shorter timeout speeds the sweep up for everyone; unwatching all stops it', async () => {
    const sweeper = new IdleSweeper();
    let slowChecks = 0;
    const slow = { checkIdle: () => void slowChecks++, onInternalError: rethrow };
    sweeper.watch(slow, 60_000);
    await sleep(40);
    assert.equal(slowChecks, 0, 'a 60 s timeout sweeps every second, not sooner');
    const fast = { checkIdle: () => {}, onInternalError: rethrow };
    sweeper.watch(fast, 80);
    await sleep(60);
    assert.ok(slowChecks >= 2, `swept ${slowChecks} times at the 10 ms period`);
    sweeper.unwatch(fast);
    sweeper.unwatch(slow);
    assert.equal(sweeper.size, 0);
    const n = slowChecks;
    await sleep(30);
    assert.equal(slowChecks, n);
  });

  it('a timeout beyond setInterval range does not make the sweep spin', async () => {
    const sweeper = new IdleSweeper();
    let checks = 0;
    const s = { checkIdle: () => void checks++, onInternalError: rethrow };
    sweeper.watch(s, 2 ** 40);
    await sleep(40);
    sweeper.unwatch(s);
    assert.equal(checks, 0, 'swept at most once a second');
  });

  it('an exception in one session\'s check goes to that session and stops its checks, not the sweep', async () => {
    const sweeper = new IdleSweeper();
    const caught: unknown[] = [];
    let healthyChecks = 0;
    const bug = new Error('a bug in checkIdle');
    const broken = { checkIdle: (): void => { throw bug; }, onInternalError: (err: unknown) => void caught.push(err) };
    const healthy = { checkIdle: () => void healthyChecks++, onInternalError: rethrow };
    sweeper.watch(broken, 80);
    sweeper.watch(healthy, 80);
    for (let i = 0; i < 100 && healthyChecks < 3; i++) await sleep(10);
    assert.deepEqual(caught, [bug], 'reported once, to the session that threw');
    assert.ok(healthyChecks >= 3, `the other session is still checked (${healthyChecks})`);
    assert.equal(sweeper.size, 1, 'the broken session is no longer watched');
    sweeper.unwatch(healthy);
  });
});
