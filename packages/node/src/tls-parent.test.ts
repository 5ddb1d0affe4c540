// The one Node internal relied on (tls-parent.ts) holds on the Node running the tests, on a
// TLSSocket built the way tls.Server builds it; and a TLSSocket without it is not guessed at.
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { TLSSocket } from 'node:tls';
import { rawSocketUnder, tlsParentAvailable } from './tls-parent.js';

describe('tls-parent', () => {
  it('this Node keeps the raw socket under a server TLSSocket', () => {
    assert.equal(tlsParentAvailable(), true);
    const raw = new Socket();
    const tls = new TLSSocket(raw, { isServer: true });
    try {
      assert.equal(rawSocketUnder(tls), raw);
    } finally {
      tls.destroy();
      raw.destroy();
    }
  });

  it('anything else under `_parent` is not taken for a raw socket', () => {
    assert.equal(rawSocketUnder({ _parent: { remoteAddress: '10.0.0.1' } } as unknown as TLSSocket), undefined);
    assert.equal(rawSocketUnder({} as TLSSocket), undefined);
  });
});
