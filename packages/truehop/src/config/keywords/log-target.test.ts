import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../text/diagnostics.js';
import { parseLogTarget } from './log-target.js';
import { tokenizeLine } from '../tokenize.js';

function parse(line: string): { target: unknown; codes: string[] } {
  const d = new Diagnostics();
  const words = tokenizeLine(line, 'f', 1, () => undefined, d);
  const t = parseLogTarget(words.slice(1), words[0]!, d);
  return { target: t && JSON.parse(JSON.stringify({ ...t, pos: undefined })), codes: d.items.map((i) => `${i.code}@${i.pos.col}`) };
}

test('log targets: stdout, stderr, udp syslog with default port, IPv6, format, levels', () => {
  assert.deepEqual(parse('log stdout format raw local0').target, { kind: 'stdout', facility: 'local0', format: 'raw' });
  assert.deepEqual(parse('log stderr local7 debug').target, { kind: 'stderr', facility: 'local7', level: 'debug' });
  assert.deepEqual(parse('log 10.0.0.1 daemon').target, { kind: 'udp', address: '10.0.0.1', port: 514, facility: 'daemon' });
  assert.deepEqual(parse('log udp@[::1]:5514 local1 info').target, { kind: 'udp', address: '::1', port: 5514, facility: 'local1', level: 'info' });
  assert.deepEqual(parse('log syslog.example:514 local2').target, { kind: 'udp', address: 'syslog.example', port: 514, facility: 'local2' });
});

test('log target errors point at the faulty word', () => {
  assert.deepEqual(parse('log stdout lcoal0').codes, ['BAD_FACILITY@12']);
  assert.deepEqual(parse('log stdout local0 loud').codes, ['BAD_LEVEL@19']);
  assert.deepEqual(parse('log stdout format iso local0').codes, ['NOT_SUPPORTED_YET@19']);
  assert.deepEqual(parse('log ring@buf local0').codes, ['NOT_SUPPORTED_YET@5']);
  // Debian's default: a unix datagram socket Node cannot open — refused at load, not lost at run time.
  assert.deepEqual(parse('log /dev/log local0').codes, ['NOT_SUPPORTED_YET@5']);
  assert.deepEqual(parse('log unix@/run/syslog.sock local0').codes, ['NOT_SUPPORTED_YET@5']);
  assert.equal(parse('log /dev/log local0').target, undefined);
  assert.deepEqual(parse('log 127.0.0.1:0 local0').codes, ['BAD_PORT@5']);
  assert.deepEqual(parse('log stdout').codes, ['MISSING_ARGUMENT@5']);
});
