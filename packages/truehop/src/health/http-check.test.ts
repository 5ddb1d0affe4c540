import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHttpCheckRequest, compileStatusExpectation, parseStatusLine } from './http-check.js';

// Expected bytes are what HAProxy 2.6.12 sent for the same `option httpchk` lines.
test('request bytes match HAProxy 2.6', () => {
  const req = (method: string, uri: string, version: string): string =>
    buildHttpCheckRequest({ kind: 'httpchk', method, uri, version }).toString('latin1');
  assert.equal(req('OPTIONS', '/', 'HTTP/1.0'), 'OPTIONS / HTTP/1.0\r\n\r\n');
  assert.equal(req('GET', '/health', 'HTTP/1.0'), 'GET /health HTTP/1.0\r\n\r\n');
  assert.equal(req('GET', '/a', 'HTTP/1.1'), 'GET /a HTTP/1.1\r\nconnection: close\r\n\r\n');
  assert.equal(req('POST', '/b', 'HTTP/1.0'), 'POST /b HTTP/1.0\r\ncontent-length: 0\r\n\r\n');
  assert.equal(req('HEAD', '/x', 'HTTP/1.1\r\nHost: a'), 'HEAD /x HTTP/1.1\r\nhost: a\r\nconnection: close\r\n\r\n');
});

test('status line parsing', () => {
  assert.deepEqual(parseStatusLine(Buffer.from('HTTP/1.1 503 Service Unavailable\r\n\r\n')), { code: 503, reason: 'Service Unavailable' });
  assert.deepEqual(parseStatusLine(Buffer.from('HTTP/1.0 200\r\n\r\n')), { code: 200, reason: '' });
  assert.equal(parseStatusLine(Buffer.from('garbage\r\n')), null);
  assert.equal(parseStatusLine(Buffer.from('')), null);
});

test('status expectations: default 2xx/3xx, one code, ranges and lists', () => {
  const dflt = compileStatusExpectation(undefined);
  assert.ok(dflt?.(200) && dflt(302) && !dflt(404) && !dflt(500) && !dflt(199));
  const one = compileStatusExpectation('200');
  assert.ok(one?.(200) && !one(204));
  const list = compileStatusExpectation('200-204,301');
  assert.ok(list?.(203) && list(301) && !list(302));
  assert.equal(compileStatusExpectation('2xx'), null);
});
