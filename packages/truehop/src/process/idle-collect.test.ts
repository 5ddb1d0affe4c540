import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QUIET_MS, startIdleCollector } from './idle-collect.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Raises RSS by tens of MB of JS objects, then lets them become garbage. */
function makeGarbage(): number {
  let junk: { i: number; s: string }[] | null = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `x${i}` }));
  const n = junk.length;
  junk = null;
  return n;
}

describe('idle-time collection', () => {
  it('collects twice once the activity count stops moving for the quiet time, and then stops', async () => {
    let activity = 0;
    const collector = startIdleCollector(() => activity, {});
    assert.notEqual(collector, null, 'this Node hands out no gc function');
    try {
      activity++; // a session started: a quiet period begins after it
      assert.equal(makeGarbage(), 400_000);
      const deadline = Date.now() + QUIET_MS + 12_000;
      while (collector?.collections !== 2 && Date.now() < deadline) await sleep(200);
      assert.equal(collector?.collections, 2);
      // Once per quiet period: nothing more without new activity.
      await sleep(2500);
      assert.equal(collector?.collections, 2);
    } finally {
      collector?.stop();
    }
  });

  it('never collects while sessions keep starting or ending', async () => {
    let activity = 0;
    const collector = startIdleCollector(() => activity, {});
    assert.notEqual(collector, null);
    try {
      makeGarbage();
      const until = Date.now() + QUIET_MS + 2000;
      while (Date.now() < until) {
        activity++;
        await sleep(300);
      }
      assert.equal(collector?.collections, 0);
    } finally {
      collector?.stop();
    }
  });

  it('TRUEHOP_IDLE_GC=off turns it off', () => {
    assert.equal(startIdleCollector(() => 0, { TRUEHOP_IDLE_GC: 'off' }), null);
  });
});
