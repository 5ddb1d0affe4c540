import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResult, describeSocketError, formatCheckReason } from './check-status.js';
import { formatNoServerAvailable, formatStateChange } from './state-log.js';

// Expected lines are HAProxy 2.6.12's own output for the same situations.
test('DOWN after a refused connection, running on backup', () => {
  const result = checkResult('L4CON', 0, { info: describeSocketError({ code: 'ECONNREFUSED' }) });
  assert.equal(
    formatStateChange({ backend: 'b1', server: 'plain', backup: false, to: 'DOWN', result, activeUp: 0, backupUp: 1, sessionsActive: 0 }),
    'Server b1/plain is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.',
  );
});

test('DOWN on HTTP 500 (code and reason phrase), backup server DOWN, timeout', () => {
  assert.equal(
    formatStateChange({
      backend: 'b2', server: 'h500', backup: false, to: 'DOWN',
      result: checkResult('L7STS', 2, { code: 500, info: 'Internal Server Error' }), activeUp: 2, backupUp: 0, sessionsActive: 0,
    }),
    'Server b2/h500 is DOWN, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: 2ms. 2 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.',
  );
  assert.equal(
    formatStateChange({
      backend: 'b1', server: 'bk', backup: true, to: 'DOWN',
      result: checkResult('L7TOUT', 500), activeUp: 0, backupUp: 0, sessionsActive: 3,
    }),
    'Backup Server b1/bk is DOWN, reason: Layer7 timeout, check duration: 500ms. 0 active and 0 backup servers left. 3 sessions active, 0 requeued, 0 remaining in queue.',
  );
  assert.equal(formatNoServerAvailable('b1'), 'backend b1 has no server available!');
});

test('UP lines: layer 4, HTTP, tcp-check', () => {
  assert.equal(
    formatStateChange({ backend: 'b1', server: 'bk', backup: true, to: 'UP', result: checkResult('L4OK', 0), activeUp: 1, backupUp: 1, sessionsActive: 0 }),
    'Backup Server b1/bk is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 1 backup servers online. 0 sessions requeued, 0 total in queue.',
  );
  assert.equal(
    formatStateChange({ backend: 'b2', server: 'h200', backup: false, to: 'UP', result: checkResult('L7OK', 0, { code: 200 }), activeUp: 1, backupUp: 0, sessionsActive: 0 }),
    'Server b2/h200 is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.',
  );
  assert.equal(formatCheckReason(checkResult('L7OK', 0, { code: 0, info: '(tcp-check)' })), 'Layer7 check passed, code: 0, info: "(tcp-check)"');
});

test('codes are shown only for statuses with layer-7 data', () => {
  assert.equal(formatCheckReason(checkResult('L7RSP', 1, { code: 0 })), 'Layer7 invalid response');
  assert.equal(checkResult('L4OK', 0).passed, true);
  assert.equal(checkResult('L7STS', 0, { code: 503 }).passed, false);
});
