// Each balancer's `pick` in isolation: weights, weight 0, ineligible servers, stability.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BalanceAlgorithm, ServerModel } from '../model/config-model.js';
import type { SessionContext } from '../model/session.js';
import { buildBalancer } from './balancer.js';
import type { Connector } from './connector.js';
import { RuntimeServer } from './runtime-server.js';

const POS = { file: 't', line: 1, col: 1 };
const NO_CONNECTOR = {} as Connector;

function servers(weights: number[]): RuntimeServer[] {
  return weights.map((w, i) => {
    const m: ServerModel = {
      name: String.fromCharCode(97 + i), host: '127.0.0.1', port: 1, weight: w, backup: false, disabled: false,
      sendProxy: 'none', proxyV2Options: new Set(), tlvFormats: [], pos: POS,
      check: { enabled: false, interMs: 1, fastinterMs: 1, downinterMs: 1, rise: 1, fall: 1, sendProxy: false },
    };
    return new RuntimeServer(m, i, NO_CONNECTOR, 'UP');
  });
}

function ctxFrom(address: string): SessionContext {
  const ep = { address, port: 1, family: 'IPv4' as const };
  return { realClient: ep, client: ep } as unknown as SessionContext;
}

const any = (s: RuntimeServer): boolean => s.status === 'UP' && !s.full;

function run(algo: BalanceAlgorithm, ss: RuntimeServer[], n: number, eligible = any, random?: () => number): string {
  const b = buildBalancer(algo, ss, random);
  let out = '';
  for (let i = 0; i < n; i++) out += b.pick(ctxFrom(`10.0.0.${i}`), eligible)?.name ?? '-';
  return out;
}

describe('balancers', () => {
  for (const algo of ['roundrobin', 'static-rr', 'leastconn', 'source', 'first', 'random'] as const) {
    it(`${algo}: never picks a weight-0 or ineligible server, undefined when none is left`, () => {
      const ss = servers([0, 1, 1]);
      const noC = (s: RuntimeServer): boolean => any(s) && s.name !== 'c';
      const seq = run(algo, ss, 20, noC, () => 0.5);
      assert.equal(seq, 'b'.repeat(20));
      assert.equal(run(algo, ss, 1, () => false), '-');
    });
  }

  it('roundrobin: exact shares over a window of sum(weights)', () => {
    const seq = run('roundrobin', servers([3, 2, 1]), 60);
    assert.equal([...seq].filter((c) => c === 'a').length, 30);
    assert.equal([...seq].filter((c) => c === 'b').length, 20);
    assert.equal([...seq].filter((c) => c === 'c').length, 10);
  });

  it('roundrobin: a server coming back is folded in without a burst', () => {
    const ss = servers([1, 1]);
    const b = buildBalancer('roundrobin', ss);
    const ctx = ctxFrom('1.2.3.4');
    for (let i = 0; i < 10; i++) b.pick(ctx, (s) => s.name === 'a');
    let seq = '';
    for (let i = 0; i < 6; i++) seq += b.pick(ctx, any)?.name;
    assert.ok(!seq.includes('bbb') && !seq.includes('aaa'), seq);
  });

  it('leastconn: weights divide the load', () => {
    const ss = servers([2, 1]);
    const b = buildBalancer('leastconn', ss);
    for (let i = 0; i < 9; i++) {
      const s = b.pick(ctxFrom('x'), any) as RuntimeServer;
      s.active++;
    }
    assert.deepEqual(ss.map((s) => s.active), [6, 3]);
  });

  it('source: stable per address, spread over servers', () => {
    const ss = servers([1, 1, 1, 1]);
    const b = buildBalancer('source', ss);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const first = b.pick(ctxFrom(`192.0.2.${i}`), any)?.name;
      assert.equal(b.pick(ctxFrom(`192.0.2.${i}`), any)?.name, first);
      seen.add(first as string);
    }
    assert.equal(seen.size, 4);
  });

  it('random: of two draws, the less loaded server wins', () => {
    const ss = servers([1, 1]);
    (ss[0] as RuntimeServer).active = 5;
    // Draws: a (0.1), then b (0.9): b is less loaded.
    const draws = [0.1, 0.9];
    let k = 0;
    const b = buildBalancer('random', ss, () => draws[k++ % 2] as number);
    assert.equal(b.pick(ctxFrom('x'), any)?.name, 'b');
  });

  it('first: declaration order, skipping full servers', () => {
    const ss = servers([1, 1]);
    assert.equal(run('first', ss, 3), 'aaa');
    assert.equal(run('first', ss, 2, (s) => any(s) && s.name !== 'a'), 'bb');
  });
});
