import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../../text/diagnostics.js';
import { parseBindAddress, parseServerAddress } from './address.js';

const pos = { file: 'f', line: 1, col: 10 };

function bind(text: string): [string, number] | string {
  const d = new Diagnostics();
  const a = parseBindAddress(text, pos, d);
  return a ? [a.host, a.port] : d.items.map((i) => `${i.code}@${i.pos.col}`).join(',');
}

function server(text: string): [string, number] | string {
  const d = new Diagnostics();
  const a = parseServerAddress(text, pos, d);
  return a ? [a.host, a.port] : d.items.map((i) => `${i.code}@${i.pos.col}`).join(',');
}

test('bind addresses as HAProxy writes them', () => {
  assert.deepEqual(bind(':80'), ['', 80]);
  assert.deepEqual(bind('*:80'), ['', 80]);
  assert.deepEqual(bind('0.0.0.0:80'), ['', 80]);
  assert.deepEqual(bind('10.1.2.3:443'), ['10.1.2.3', 443]);
  assert.deepEqual(bind('[::]:80'), ['::', 80]);
  assert.deepEqual(bind(':::80'), ['::', 80]);
  assert.deepEqual(bind('::1:8080'), ['::1', 8080]);
  assert.deepEqual(bind('[fe80::1]:81'), ['fe80::1', 81]);
  assert.deepEqual(bind('ipv4@:82'), ['0.0.0.0', 82]);
  assert.deepEqual(bind('ipv6@:83'), ['::', 83]);
  assert.deepEqual(bind('localhost:84'), ['localhost', 84]);
  assert.deepEqual(bind('127.0.0.1:0'), ['127.0.0.1', 0]);
});

test('bind address errors name the problem and point inside the word', () => {
  assert.equal(bind('127.0.0.1:9000-9010'), 'PORT_RANGE@20');
  assert.equal(bind('127.0.0.1'), 'MISSING_PORT@10');
  assert.equal(bind('1.2.3.4:65536'), 'BAD_PORT@18');
  assert.equal(bind('1.2.3.999:80'), 'BAD_ADDRESS@10');
  assert.equal(bind('[::1:80'), 'BAD_ADDRESS@10');
  assert.equal(bind('unix@/tmp/s'), 'NOT_SUPPORTED_YET@10');
  assert.equal(bind('/tmp/s'), 'NOT_SUPPORTED_YET@10');
  assert.equal(bind('fd@3'), 'NOT_SUPPORTED_YET@10');
});

test('server addresses: port required, no offsets, no wildcard', () => {
  assert.deepEqual(server('192.168.1.10:80'), ['192.168.1.10', 80]);
  assert.deepEqual(server('[2001:db8::1]:443'), ['2001:db8::1', 443]);
  assert.deepEqual(server('app.internal:8080'), ['app.internal', 8080]);
  assert.equal(server('192.168.1.10'), 'NOT_SUPPORTED_YET@10');
  assert.equal(server('192.168.1.10:+1'), 'NOT_SUPPORTED_YET@23');
  assert.equal(server('192.168.1.10:0'), 'BAD_PORT@23');
  assert.equal(server('*:80'), 'BAD_ADDRESS@10');
  assert.equal(server('bad_host!:80'), 'BAD_ADDRESS@10');
});
