// PROXY headers a client sends to a truehop `accept-proxy` bind in the send-proxy tests (our
// own table and the HAProxy differential): what truehop re-sends to the server is derived
// from these, so both suites must feed the very same bytes.
import { SIG, tlvBytes } from './expected-header.js';

export const INCOMING = {
  v1_tcp4: Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.7 51234 443\r\n'),
  v1_tcp6: Buffer.from('PROXY TCP6 2001:db8::1 2001:db8::2 51234 443\r\n'),
  v1_unknown: Buffer.from('PROXY UNKNOWN\r\n'),
  /** v2 PROXY TCP4 192.0.2.1:51234 → 198.51.100.7:443 with AUTHORITY "example.com" and a 0xE1 TLV. */
  v2_tcp4_tlvs: Buffer.concat([
    SIG,
    Buffer.from('2111001f', 'hex'),
    Buffer.from('c0000201c6336407c82201bb', 'hex'),
    tlvBytes([
      { type: 0x02, value: Buffer.from('example.com') },
      { type: 0xe1, value: Buffer.from([0x00, 0x01]) },
    ]),
  ]),
  v2_local: Buffer.concat([SIG, Buffer.from('20000000', 'hex')]),
};
