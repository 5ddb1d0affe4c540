import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TIME_MS, parseTime } from './time.js';
import { strtoul, parseUnsigned } from './integer.js';
import { closestName, suggestion } from './did-you-mean.js';

test('HAProxy time units, default milliseconds', () => {
  const ms = (t: string): number | undefined => { const r = parseTime(t); return r.ok ? r.ms : undefined; };
  assert.equal(ms('500'), 500);
  assert.equal(ms('5s'), 5000);
  assert.equal(ms('2m'), 120_000);
  assert.equal(ms('1h'), 3_600_000);
  assert.equal(ms('1d'), 86_400_000);
  assert.equal(ms('1500us'), 2);
  assert.equal(ms('0'), 0);
  assert.equal(ms('24d'), 24 * 86_400_000);
  assert.equal(ms('25d'), undefined, 'timer overflow');
  assert.equal(ms(String(MAX_TIME_MS)), MAX_TIME_MS);
  for (const bad of ['', 's', '1.5s', '-1', '10x', '10 s', '1S']) assert.equal(ms(bad), undefined, bad);
});

test('strtoul base 0 like C', () => {
  assert.deepEqual(strtoul('0xE1)'), { value: 0xe1, end: 4 });
  assert.deepEqual(strtoul('225)'), { value: 225, end: 3 });
  assert.deepEqual(strtoul('0341)'), { value: 0o341, end: 4 });
  assert.deepEqual(strtoul('E1)'), { value: 0, end: 0 });
  assert.deepEqual(strtoul('09'), { value: 0, end: 1 }, 'octal stops at 9');
  assert.deepEqual(strtoul('0x'), { value: 0, end: 1 }, '0x without digits parses the 0');
  assert.ok(strtoul('-1').value > 255, 'negative wraps to a huge value');
  assert.equal(parseUnsigned('12', 100), 12);
  assert.equal(parseUnsigned('12a', 100), undefined);
  assert.equal(parseUnsigned('101', 100), undefined);
});

test('did you mean', () => {
  assert.equal(closestName('sned-proxy', ['send-proxy', 'send-proxy-v2', 'check']), 'send-proxy');
  assert.equal(closestName('defualt_backend', ['default_backend', 'use_backend']), 'default_backend');
  assert.equal(closestName('completely-different', ['send-proxy']), undefined);
  assert.equal(closestName('AB', ['ab', 'cd']), 'ab', 'case-insensitive');
  // One wording for every module (keywords, fetches, ACLs, actions).
  assert.equal(suggestion('fc_pp_tvl', ['fc_pp_tlv', 'src']), " (did you mean 'fc_pp_tlv'?)");
  assert.equal(suggestion('zzzz', ['src']), '');
  // A hostile long word is bounded (compared on its first characters only).
  assert.equal(closestName('x'.repeat(100_000), ['src']), undefined);
});
