import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import { LastServerSession } from './server-tls.js';

/** A stand-in for the TLSSocket: only its 'session' event is used. */
const socket = (): tls.TLSSocket & EventEmitter => new EventEmitter() as tls.TLSSocket & EventEmitter;

describe('LastServerSession (ssl-reuse)', () => {
  it('offers the last session only for the SNI it was made with, and nothing once forgotten', () => {
    const last = new LastServerSession();
    assert.equal(last.offer('a.test'), undefined, 'nothing before a first session');
    const s = socket();
    last.watch(s, 'a.test');
    s.emit('session', Buffer.from('one'));
    s.emit('session', Buffer.from('two'));
    assert.deepEqual(last.offer('a.test'), Buffer.from('two'), 'the newest session');
    assert.equal(last.offer('b.test'), undefined, 'another SNI: a full handshake');
    assert.equal(last.offer(undefined), undefined, 'no SNI is another SNI too');
    last.forget();
    assert.equal(last.offer('a.test'), undefined);
  });
});
