import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_HELLO_BYTES, peekClientHello } from './client-hello.js';

/** A minimal ClientHello record with the given extensions block (or none). */
function hello(extensions: Buffer | null, recordSplit?: number): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]), Buffer.alloc(32, 7), // version, random
    Buffer.from([0]), // session id
    Buffer.from([0, 2, 0x13, 0x01]), // one cipher suite
    Buffer.from([1, 0]), // compression: null
    ...(extensions === null ? [] : [Buffer.from([extensions.length >> 8, extensions.length & 0xff]), extensions]),
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  const record = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0x16, 0x03, 0x01, b.length >> 8, b.length & 0xff]), b]);
  if (recordSplit === undefined) return record(hs);
  return Buffer.concat([record(hs.subarray(0, recordSplit)), record(hs.subarray(recordSplit))]);
}

function sni(name: string): Buffer {
  const n = Buffer.from(name, 'latin1');
  const entry = Buffer.concat([Buffer.from([0, n.length >> 8, n.length & 0xff]), n]);
  const list = Buffer.concat([Buffer.from([entry.length >> 8, entry.length & 0xff]), entry]);
  const other = Buffer.from([0x00, 0x10, 0, 5, 0, 3, 2, 0x68, 0x32]); // ALPN "h2" before it
  return Buffer.concat([other, Buffer.from([0, 0, list.length >> 8, list.length & 0xff]), list]);
}

test('the SNI of a ClientHello, whole, split across records, or byte by byte', () => {
  const h = hello(sni('b.test'));
  assert.deepEqual(peekClientHello(h), { status: 'hello', servername: 'b.test' });
  assert.deepEqual(peekClientHello(hello(sni('b.test'), 10)), { status: 'hello', servername: 'b.test' });
  for (let i = 1; i < h.length; i++) assert.deepEqual(peekClientHello(h.subarray(0, i)), { status: 'incomplete' }, `prefix ${i}`);
});

test('no extensions, or no server_name: a hello without SNI', () => {
  assert.deepEqual(peekClientHello(hello(null)), { status: 'hello', servername: null });
  assert.deepEqual(peekClientHello(hello(Buffer.from([0x00, 0x10, 0, 5, 0, 3, 2, 0x68, 0x32]))), { status: 'hello', servername: null });
});

test('junk, a non-handshake record, a truncated length and an endless record are not hellos', () => {
  assert.deepEqual(peekClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n')), { status: 'not-hello' });
  assert.deepEqual(peekClientHello(Buffer.from([0x17, 0x03, 0x03, 0, 1, 0])), { status: 'not-hello' });
  const bad = hello(sni('b.test'));
  bad.writeUInt16BE(0xffff, bad.length - 'b.test'.length - 2); // name longer than its list
  assert.deepEqual(peekClientHello(bad), { status: 'not-hello' });
  // A record header announcing more than the cap: decided as soon as the cap is reached.
  const huge = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 1, 0xff, 0xff, 0xff]), Buffer.alloc(MAX_HELLO_BYTES)]);
  assert.deepEqual(peekClientHello(huge), { status: 'not-hello' });
});
