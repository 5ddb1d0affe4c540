// TRUEHOP_FAULT_INJECT's grammar: phase[@frontend], comma-separated; a phase without a frontend
// fails every session; anything else is refused at start-up rather than ignored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FAULT_AT_CONNECT, FAULT_AT_DATA, FAULT_AT_END, FAULT_AT_REQUEST, InjectedFault, injectFault, parseFaultSpec } from './fault-inject.js';

describe('fault injection (tests only)', () => {
  it('is off unless the variable is set: every phase is null', () => {
    // The unit tests run without TRUEHOP_FAULT_INJECT.
    assert.equal(process.env.TRUEHOP_FAULT_INJECT, undefined);
    assert.deepEqual([FAULT_AT_REQUEST, FAULT_AT_CONNECT, FAULT_AT_DATA, FAULT_AT_END], [null, null, null, null]);
    assert.deepEqual(parseFaultSpec(''), { request: null, connect: null, data: null, end: null });
  });

  it('parses phases and frontends; throws only for a named frontend, or for all without one', () => {
    const plan = parseFaultSpec('connect@fe_a, data ,connect@fe_b');
    assert.equal(plan.request, null);
    assert.deepEqual([...(plan.connect ?? [])], ['fe_a', 'fe_b']);
    assert.throws(() => injectFault(plan.connect ?? new Set(), 'connect', 'fe_a'), InjectedFault);
    assert.doesNotThrow(() => injectFault(plan.connect ?? new Set(), 'connect', 'fe_c'));
    assert.throws(() => injectFault(plan.data ?? new Set(), 'data', 'anything'), /data phase of a session of frontend anything/);
  });

  it('refuses an unknown phase', () => {
    assert.throws(() => parseFaultSpec('request@fe,later@fe'), /'later@fe' does not start with one of request, connect, data, end/);
  });
});
