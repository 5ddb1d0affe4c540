// The short soak of `npm test`: truehop under the soak's client mix, backend faults and server
// churn for about 20 s, then HAProxy 2.6 under the same for its figures beside. What must hold
// for truehop: no corrupted byte, no transfer lost without the client seeing it, no client left
// hanging, nothing delivered to a server its health check had DOWN, no descriptor left behind,
// no session waiting out a 1 s turn-around (p99), and only termination states HAProxy defines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, DEFAULT_FAULTS, SOAK_BASE_PORT, SOAK_CHURN_EVERY_MS, SOAK_DOWN_MS } from '../../../bench/soak/run.js';
import { runSoak, type SoakOptions, type SoakResult } from '../../../bench/soak/soak.js';
import { haproxySkip } from '../../support/haproxy.js';

function options(balancer: SoakOptions['balancer'], seconds: number): SoakOptions {
  return {
    balancer,
    durationMs: seconds * 1000,
    connections: 1_000_000,
    concurrency: 32,
    // Not the ports of `npm run soak` (SOAK_BASE_PORT), so a long soak can run beside the tests.
    basePort: SOAK_BASE_PORT + 10,
    faults: DEFAULT_FAULTS,
    churnEveryMs: SOAK_CHURN_EVERY_MS,
    downMs: SOAK_DOWN_MS,
  };
}

/** HAProxy's two-letter TCP termination states (configuration.txt §8.5). */
const TERMINATION_STATE = /^[-CSPLRIDUKcs][-RQCDLT]$/;

let truehop: SoakResult | undefined;

describe('short soak', () => {
  it('truehop survives faults and churn: nothing corrupted, lost unseen, hung, leaked or sent to a DOWN server', async (t) => {
    const r = await runSoak(options('truehop', 20));
    truehop = r;
    for (const line of formatTable([r]).split('\n')) t.diagnostic(line);
    assert.ok(r.connections > 1000, `only ${r.connections} connections`);
    assert.ok(r.restarts >= 4, 'servers were killed and restarted');
    assert.equal(r.corrupted, 0);
    assert.equal(r.lostUnseen, 0);
    assert.equal(r.hung, 0);
    assert.equal(r.downDeliveries, 0);
    // Every descriptor of the load is given back (a few for the health checks in flight).
    assert.ok(r.after.fds <= r.before.fds + 4, `descriptors ${r.before.fds} before, ${r.after.fds} after`);
    // Sessions that met a killed server redispatched at once instead of waiting 1 s.
    assert.ok(r.p99 < 900, `p99 ${r.p99.toFixed(0)} ms`);
    assert.ok(r.redispatchedLogLines > 0, "no '+' in the retries field");
    for (const state of Object.keys(r.termination)) assert.match(state, TERMINATION_STATE);
    // Everything that reached a server was logged.
    assert.ok(r.logLines >= r.connections * 0.9, `${r.logLines} log lines for ${r.connections} connections`);
  });

  it('HAProxy 2.6 beside it (figures)', { skip: haproxySkip }, async (t) => {
    const h = await runSoak(options('haproxy', 12));
    for (const line of formatTable(truehop !== undefined ? [truehop, h] : [h]).split('\n')) t.diagnostic(line);
    // The harness itself is judged by HAProxy: the same invariants hold there.
    assert.equal(h.corrupted, 0);
    assert.equal(h.lostUnseen, 0);
    assert.equal(h.downDeliveries, 0);
  });
});
