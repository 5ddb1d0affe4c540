// A node:test reporter for the runner (scripts/run-tests.mjs): how many tests passed, failed and
// were skipped, and how many skips each missing peer caused (the skip reasons start with
// 'missing peer <name>[, <name>…]:', see scripts/peers.mjs). It writes the running totals as one
// JSON line after each test, so a file killed at its time bound still reports what it did.
import { MISSING_PEER } from './peers.mjs';

export default async function* countReporter(source) {
  const counts = { pass: 0, fail: 0, skip: 0, todo: 0, peerSkips: {} };
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { data } = event;
    const skipped = data.skip !== undefined && data.skip !== false;
    // A suite's own pass/fail repeats its tests' results; a skipped suite counts as one test
    // (as node:test counts it), since its tests are never declared.
    if (data.details?.type === 'suite' && !skipped) continue;
    if (skipped) {
      counts.skip++;
      const reason = typeof data.skip === 'string' ? data.skip : '';
      if (reason.startsWith(`${MISSING_PEER} `)) {
        for (const name of reason.slice(MISSING_PEER.length + 1).split(':')[0].split(',')) {
          const peer = name.trim();
          counts.peerSkips[peer] = (counts.peerSkips[peer] ?? 0) + 1;
        }
      }
    } else if (data.todo !== undefined && data.todo !== false) counts.todo++;
    else if (event.type === 'test:pass') counts.pass++;
    else counts.fail++;
    yield `${JSON.stringify(counts)}\n`;
  }
}
