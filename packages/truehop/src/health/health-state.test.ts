import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCheck, initialHealth, nextIntervalMs, stateOf } from './health-state.js';
import type { HealthCounter } from './health-state.js';

function run(counter: HealthCounter, results: boolean[]): string[] {
  const states: string[] = [];
  let c = counter;
  for (const r of results) {
    c = applyCheck(c, r);
    states.push(stateOf(c));
  }
  return states;
}

test('a server starts UP and one failed check takes it DOWN (HAProxy init-state up)', () => {
  const c = initialHealth(2, 3);
  assert.equal(stateOf(c), 'UP');
  assert.deepEqual(run(c, [false]), ['DOWN']);
});

test('from DOWN, rise consecutive passes bring it UP; a failure in between restarts the count', () => {
  const down = applyCheck(initialHealth(3, 2), false);
  assert.equal(down.health, 0);
  assert.deepEqual(run(down, [true, true, true]), ['DOWN', 'DOWN', 'UP']);
  assert.deepEqual(run(down, [true, true, false, true, true, true]), ['DOWN', 'DOWN', 'DOWN', 'DOWN', 'DOWN', 'UP']);
});

test('once fully UP, fall consecutive failures are needed; a pass in between refills', () => {
  let c = initialHealth(2, 3);
  c = applyCheck(c, true);
  assert.equal(c.health, 4); // rise + fall - 1
  assert.deepEqual(run(c, [false, false, false]), ['UP', 'UP', 'DOWN']);
  assert.deepEqual(run(c, [false, false, true, false, false, false]), ['UP', 'UP', 'UP', 'UP', 'UP', 'DOWN']);
});

test('rise 1 / fall 1 flips on every result', () => {
  const c = initialHealth(1, 1);
  assert.deepEqual(run(c, [false, true, false, true]), ['DOWN', 'UP', 'DOWN', 'UP']);
});

test('interval: inter when fully UP, downinter when fully DOWN, fastinter in between', () => {
  const iv = { interMs: 1000, fastinterMs: 100, downinterMs: 5000 };
  const start = initialHealth(2, 3);
  assert.equal(nextIntervalMs(start, iv), 100, 'start is not fully UP: fastinter');
  const up = applyCheck(start, true);
  assert.equal(nextIntervalMs(up, iv), 1000);
  assert.equal(nextIntervalMs(applyCheck(up, false), iv), 100);
  const down = applyCheck(start, false);
  assert.equal(nextIntervalMs(down, iv), 5000);
  assert.equal(nextIntervalMs(applyCheck(down, true), iv), 100);
  assert.equal(nextIntervalMs(down, { interMs: 1000, fastinterMs: 0, downinterMs: 0 }), 1000);
  assert.equal(nextIntervalMs(applyCheck(down, true), { interMs: 1000, fastinterMs: 0, downinterMs: 0 }), 1000);
});

test('property: the counter behaves as "fall consecutive failures / rise consecutive passes"', async () => {
  const fc = await import('fast-check');
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.boolean(), { maxLength: 60 }), (rise, fall, results) => {
      // Reference written from the documentation, not from the counter.
      let state: 'UP-initial' | 'UP' | 'DOWN' = 'UP-initial';
      let streak = 0;
      let counter = initialHealth(rise, fall);
      for (const passed of results) {
        if (state === 'UP-initial') {
          state = passed ? 'UP' : 'DOWN';
          streak = 0;
        } else if (state === 'UP') {
          streak = passed ? 0 : streak + 1;
          if (streak === fall) {
            state = 'DOWN';
            streak = 0;
          }
        } else {
          streak = passed ? streak + 1 : 0;
          if (streak === rise) {
            state = 'UP';
            streak = 0;
          }
        }
        counter = applyCheck(counter, passed);
        if (stateOf(counter) !== (state === 'DOWN' ? 'DOWN' : 'UP')) return false;
        if (counter.health < 0 || counter.health > rise + fall - 1) return false;
      }
      return true;
    }),
    { numRuns: 2000 },
  );
});
