// State transitions against real loopback servers that stop and restart, accept and then
// hang, or answer HTTP 500: the server changes state after exactly `fall` failed / `rise`
// passed checks, within fall × inter (or rise × downinter) plus a small bound, with the
// HAProxy-worded log line; stop() closes every check socket.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { HEALTH_CHANNEL_NAMES } from '../../../src/health/health-events.js';
import type { HealthCheckEvent, HealthStateEvent } from '../../../src/health/health-events.js';
import { createHealthMonitor } from '../../../src/health/monitor.js';
import type { HealthMonitor, ServerHealthSnapshot } from '../../../src/health/monitor.js';
import type { CheckResult } from '../../../src/health/check-status.js';
import type { ServerStatus } from '../../../src/model/server-status.js';
import type { TruehopModel } from '../../../src/model/config-model.js';
import { model, RecordingServer, server } from './fixtures.js';
import { deadPort, waitFor } from '../../support/peers.js';

/**
 * Slack on top of the configured intervals: scheduling on two busy shared cores. It bounds
 * lateness only; the number of checks before each transition is asserted exactly.
 */
const BOUND_MS = 300;

const cleanups: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Transition {
  server: string;
  status: ServerStatus;
  at: number;
  snapshot: ServerHealthSnapshot | undefined;
}

interface Harness {
  monitor: HealthMonitor;
  logs: string[];
  transitions: Transition[];
  checks: { server: string; result: CheckResult; at: number }[];
}

function harness(m: TruehopModel): Harness {
  const logs: string[] = [];
  const checks: Harness['checks'] = [];
  const monitor = createHealthMonitor(m, {
    log: (line) => logs.push(line),
    onCheck: (_backend, srv, result) => checks.push({ server: srv, result, at: Date.now() }),
  });
  const transitions: Transition[] = [];
  monitor.source.subscribe((_backend, srv, status) => {
    transitions.push({ server: srv, status, at: Date.now(), snapshot: monitor.snapshot().find((s) => s.server === srv) });
  });
  cleanups.push(() => monitor.stop());
  return { monitor, logs, transitions, checks };
}

async function listening(behaviour?: ConstructorParameters<typeof RecordingServer>[0], port = 0): Promise<RecordingServer> {
  const rec = await new RecordingServer(behaviour).listen(port);
  cleanups.push(() => rec.close());
  return rec;
}

function snapshotOf(h: Harness, name: string): ServerHealthSnapshot {
  const snap = h.monitor.snapshot().find((s) => s.server === name);
  assert.ok(snap, `no snapshot for ${name}`);
  return snap;
}

test('a server that stops goes DOWN after exactly `fall` checks, and UP after `rise` once restarted', async () => {
  const inter = 100;
  const rise = 2;
  const fall = 3;
  const rec = await listening();
  const h = harness(model([server('s1', rec.port, { sendProxy: 'v1', check: { interMs: inter, fastinterMs: inter, downinterMs: inter, rise, fall } })]));
  assert.equal(h.monitor.source.status('be', 's1'), 'UP', 'servers start UP');
  h.monitor.start();
  await waitFor(() => snapshotOf(h, 's1').health === rise + fall - 1, 2000, 'fully UP after one passed check');
  assert.equal(h.transitions.length, 0, 'UP from the start: no transition');

  const port = rec.port;
  const stoppedAt = Date.now();
  await rec.close();
  await waitFor(() => h.transitions.length === 1, fall * inter + 2000, 'DOWN');
  const down = h.transitions[0];
  assert.equal(down?.status, 'DOWN');
  assert.equal(down?.snapshot?.failedChecks, fall, 'exactly `fall` failed checks');
  assert.equal(down?.snapshot?.downTransitions, 1);
  assert.ok((down?.at ?? 0) - stoppedAt <= fall * inter + BOUND_MS, `DOWN after ${(down?.at ?? 0) - stoppedAt} ms`);
  assert.equal(h.monitor.source.status('be', 's1'), 'DOWN');
  assert.match(
    h.logs[0] ?? '',
    /^Server be\/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: \d+ms\. 0 active and 0 backup servers left\. 0 sessions active, 0 requeued, 0 remaining in queue\.$/,
  );
  assert.equal(h.logs[1], 'backend be has no server available!');
  assert.equal(snapshotOf(h, 's1').lastCheck?.status, 'L4CON');

  const restarted = await listening({ kind: 'accept' }, port);
  const restartedAt = Date.now();
  await waitFor(() => h.transitions.length === 2, rise * inter + 2000, 'UP again');
  const up = h.transitions[1];
  assert.equal(up?.status, 'UP');
  assert.equal(restarted.connections.length, rise, 'exactly `rise` passed checks');
  assert.ok((up?.at ?? 0) - restartedAt <= rise * inter + BOUND_MS, `UP after ${(up?.at ?? 0) - restartedAt} ms`);
  assert.match(
    h.logs[2] ?? '',
    /^Server be\/s1 is UP, reason: Layer4 check passed, check duration: \d+ms\. 1 active and 0 backup servers online\. 0 sessions requeued, 0 total in queue\.$/,
  );
  const snap = snapshotOf(h, 's1');
  assert.ok(snap.downtimeMs > 0);
  assert.equal(snap.lastCheck?.reason, 'Layer4 check passed');
  await h.monitor.stop();
});

test('a server refusing at start-up is DOWN after the very first check (starts UP, health = rise)', async () => {
  const port = deadPort();
  const checkEvents: HealthCheckEvent[] = [];
  const stateEvents: HealthStateEvent[] = [];
  const onCheck = (message: unknown): void => void checkEvents.push(message as HealthCheckEvent);
  const onState = (message: unknown): void => void stateEvents.push(message as HealthStateEvent);
  diagnosticsChannel.subscribe(HEALTH_CHANNEL_NAMES.check, onCheck);
  diagnosticsChannel.subscribe(HEALTH_CHANNEL_NAMES.state, onState);
  cleanups.push(() => {
    diagnosticsChannel.unsubscribe(HEALTH_CHANNEL_NAMES.check, onCheck);
    diagnosticsChannel.unsubscribe(HEALTH_CHANNEL_NAMES.state, onState);
  });
  const h = harness(model([server('s1', port, { check: { rise: 2, fall: 3 } })], { backend: 'refusing' }));
  h.monitor.start();
  await waitFor(() => h.transitions.length === 1, 2000, 'DOWN');
  assert.equal(h.checks.length, 1);
  const mine = checkEvents.filter((e) => e.backend === 'refusing');
  assert.equal(mine.length, 1);
  assert.equal(mine[0]?.result.status, 'L4CON');
  assert.equal(mine[0]?.health, 0);
  const states = stateEvents.filter((e) => e.backend === 'refusing');
  assert.equal(states.length, 1);
  assert.equal(states[0]?.status, 'DOWN');
  assert.equal(states[0]?.line, h.logs[0]);
  assert.equal(h.transitions[0]?.status, 'DOWN');
  assert.equal(h.transitions[0]?.snapshot?.checks, 1);
  await h.monitor.stop();
});

test('accept then hang (httpchk, timeout check): Layer7 timeout after `fall` bounded checks', async () => {
  const inter = 100;
  const timeoutCheck = 150;
  const fall = 2;
  const rec = await listening({ kind: 'http', status: 200, reason: 'OK' });
  const h = harness(
    model([server('s1', rec.port, { sendProxy: 'v2', check: { interMs: inter, fastinterMs: inter, downinterMs: inter, rise: 2, fall } })], {
      checkKind: { kind: 'httpchk', method: 'GET', uri: '/', version: 'HTTP/1.0' },
      timeouts: { connect: 1000, check: timeoutCheck },
    }),
  );
  h.monitor.start();
  await waitFor(() => snapshotOf(h, 's1').health === 2 + fall - 1, 2000, 'fully UP');
  rec.behaviour = { kind: 'hang' };
  const hungAt = Date.now();
  await waitFor(() => h.transitions.length === 1, 5000, 'DOWN');
  const down = h.transitions[0];
  assert.equal(down?.status, 'DOWN');
  assert.equal(down?.snapshot?.failedChecks, fall);
  assert.ok((down?.at ?? 0) - hungAt <= fall * (inter + timeoutCheck) + BOUND_MS, `DOWN after ${(down?.at ?? 0) - hungAt} ms`);
  const timeouts = h.checks.filter((c) => c.result.status === 'L7TOUT');
  assert.equal(timeouts.length, fall);
  for (const c of timeouts) {
    assert.ok(c.result.durationMs >= timeoutCheck - 5, `timed out at ${c.result.durationMs} ms, not before timeout check`);
    assert.ok(c.result.durationMs < timeoutCheck + BOUND_MS);
  }
  assert.match(h.logs[0] ?? '', /^Server be\/s1 is DOWN, reason: Layer7 timeout, check duration: \d+ms\. 0 active/);
  // Timed-out checks close their sockets: the hanging server never holds more than the
  // check in flight plus one being torn down, however many checks have run.
  const ran = h.checks.length;
  let most = 0;
  const started = Date.now();
  while (h.checks.length < ran + 4 && Date.now() - started < 5000) {
    most = Math.max(most, rec.openConnections);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(h.checks.length >= ran + 4, 'four more checks ran');
  assert.ok(most <= 2, `${most} check sockets open at once on the hanging server`);
  await h.monitor.stop();
  await waitFor(() => rec.openConnections === 0, 2000, 'hung check sockets closed');
});

test('HTTP 500: DOWN with `Layer7 wrong status`, UP again when 200 returns', async () => {
  const inter = 100;
  const rec = await listening({ kind: 'http', status: 200, reason: 'OK' });
  const h = harness(
    model([server('s1', rec.port, { check: { interMs: inter, fastinterMs: inter, downinterMs: inter, rise: 2, fall: 2 } })], {
      checkKind: { kind: 'httpchk', method: 'GET', uri: '/health', version: 'HTTP/1.1', expectStatus: '200' },
    }),
  );
  h.monitor.start();
  await waitFor(() => snapshotOf(h, 's1').health === 3, 2000, 'fully UP');
  rec.behaviour = { kind: 'http', status: 500, reason: 'Internal Server Error' };
  const failingAt = Date.now();
  await waitFor(() => h.transitions.length === 1, 3000, 'DOWN');
  assert.equal(h.transitions[0]?.snapshot?.failedChecks, 2);
  assert.ok((h.transitions[0]?.at ?? 0) - failingAt <= 2 * inter + BOUND_MS);
  assert.match(
    h.logs[0] ?? '',
    /^Server be\/s1 is DOWN, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: \d+ms\. 0 active and 0 backup servers left\./,
  );
  rec.behaviour = { kind: 'http', status: 200, reason: 'OK' };
  await waitFor(() => h.transitions.length === 2, 3000, 'UP');
  assert.match(h.logs[2] ?? '', /^Server be\/s1 is UP, reason: Layer7 check passed, code: 200, check duration: \d+ms\./);
  await h.monitor.stop();
});

test('tcp-check expect: a mismatch is `Layer7 invalid response`, silence is `Layer7 timeout`, both name the step', async () => {
  const closes = await listening({ kind: 'banner', text: 'hello\n', close: true });
  const silent = await listening({ kind: 'banner', text: 'hello\n' });
  const check = { rise: 1, fall: 1 };
  const h = harness(
    model([server('closes', closes.port, { check }), server('silent', silent.port, { check })], {
      checkKind: {
        kind: 'tcp-check',
        steps: [
          { kind: 'connect', sendProxy: false },
          { kind: 'expect-string', text: 'nope', negate: false },
        ],
      },
      timeouts: { connect: 1000, check: 150 },
    }),
  );
  h.monitor.start();
  await waitFor(() => h.transitions.length === 2, 3000, 'both DOWN');
  assert.equal(snapshotOf(h, 'closes').lastCheck?.reason, 'Layer7 invalid response, info: "TCPCHK did not match content \'nope\' at step 2"');
  assert.equal(snapshotOf(h, 'silent').lastCheck?.reason, 'Layer7 timeout, info: " at step 2 of tcp-check (expect string \'nope\')"');
  assert.ok(h.logs.includes('backend be has no server available!'));
  await h.monitor.stop();
});

test('fastinter while counting towards a transition, downinter while DOWN', async () => {
  const inter = 600;
  const fastinter = 50;
  const downinter = 250;
  const rec = await listening();
  const h = harness(model([server('s1', rec.port, { check: { interMs: inter, fastinterMs: fastinter, downinterMs: downinter, rise: 2, fall: 3 } })]));
  h.monitor.start();
  await waitFor(() => h.checks.length >= 1, 2000, 'first check');
  const port = rec.port;
  await rec.close();
  await waitFor(() => h.transitions.length === 1, 3000, 'DOWN');
  const failures = h.checks.filter((c) => !c.result.passed);
  assert.equal(failures.length, 3);
  // Failures 2 and 3 follow at fastinter, far sooner than inter.
  for (let i = 1; i < failures.length; i += 1) {
    const gap = (failures[i]?.at ?? 0) - (failures[i - 1]?.at ?? 0);
    assert.ok(gap < inter / 2, `gap ${gap} ms between failures should be fastinter (${fastinter} ms), not inter`);
  }
  await waitFor(() => h.checks.length >= 5, 3000, 'two checks while DOWN');
  const gap = (h.checks[4]?.at ?? 0) - (h.checks[3]?.at ?? 0);
  assert.ok(gap >= downinter - 20 && gap < inter, `gap ${gap} ms while DOWN should be downinter (${downinter} ms)`);
  const restarted = await listening({ kind: 'accept' }, port);
  await waitFor(() => h.transitions.length === 2, 3000, 'UP');
  assert.equal(restarted.connections.length, 2);
  const rising = (restarted.connections[1]?.acceptedAt ?? 0) - (restarted.connections[0]?.acceptedAt ?? 0);
  assert.ok(rising < downinter, `second rising check after ${rising} ms should use fastinter`);
  await h.monitor.stop();
});

test('servers without check stay UP, disabled ones are MAINT; neither is ever connected to', async () => {
  const rec = await listening();
  const h = harness(
    model([
      server('plain', rec.port, { check: { enabled: false } }),
      server('off', rec.port, { disabled: true }),
    ]),
  );
  h.monitor.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(h.monitor.source.status('be', 'plain'), 'UP');
  assert.equal(h.monitor.source.status('be', 'off'), 'MAINT');
  assert.equal(h.monitor.source.status('be', 'nope'), 'DOWN', 'unknown servers fail closed');
  assert.equal(rec.connections.length, 0);
  assert.deepEqual(
    h.monitor.snapshot().map((s) => [s.server, s.status, s.checked]),
    [['plain', 'UP', false], ['off', 'MAINT', false]],
  );
  await h.monitor.stop();
});

test('stop() destroys in-flight check sockets at once and is idempotent', async () => {
  const rec = await listening({ kind: 'hang' });
  const h = harness(
    model([server('s1', rec.port, { check: { interMs: 10_000, fastinterMs: 10_000, downinterMs: 10_000 } })], {
      checkKind: { kind: 'httpchk', method: 'GET', uri: '/', version: 'HTTP/1.0' },
      timeouts: { connect: 1000, check: 10_000 },
    }),
  );
  h.monitor.start();
  await waitFor(() => rec.openConnections === 1, 2000, 'a hanging check');
  const begun = Date.now();
  await h.monitor.stop();
  assert.ok(Date.now() - begun < 1000, 'stop does not wait for the check timeout');
  await waitFor(() => rec.openConnections === 0, 2000, 'the server to see the check socket close');
  assert.equal(h.checks.length, 0, 'a check cut by stop() records no result');
  await h.monitor.stop();
  assert.throws(() => h.monitor.start(), /cannot start/);
});
