// The PROXY header a health check sends, byte-identical to HAProxy (§4.8, §4.9, §2.8):
//  * v1: a real `PROXY TCP4|TCP6 <check's local ip> <server ip> <local port> <server port>`
//    line built from the check connection's own addresses — never UNKNOWN;
//  * v2: LOCAL (`0x20 0x00`, len = TLV bytes) since HAProxy 2.2, because a check relays no
//    client; with `pp2-never-send-local` a PROXY header with the check's own addresses
//    instead, for receivers that mishandle LOCAL;
//  * v2 TLVs, in HAProxy's fixed order: `set-proxy-v2-tlv-fmt` TLVs in configuration order,
//    then CRC32C (computed last over the finished header by the codec, §3.3), then SSL when
//    an ssl option is set. A check has no client connection, so there is no ALPN, AUTHORITY
//    or UNIQUE_ID, and the SSL TLV says "no client TLS" (client 0, verify 0) — observed from
//    HAProxy 2.6 as `20 0005 00 00000000`.
//  * the TLV list is assembled by the data path's OutgoingTlvs, so a check drops a TLV that
//    does not fit exactly as a client connection does (§4.7: HAProxy builds both with one
//    function and one buffer).
import { encode } from '@truehop/proxy-protocol';
import type { Tlv } from '@truehop/proxy-protocol';
import { builtinTlvs, OutgoingTlvs, SSL_TLV_NON_TLS_CLIENT } from '../datapath/outgoing-header.js';
import type { ProxyV2Option } from '../model/config-model.js';
import type { Endpoint } from '../model/session.js';

export interface CheckHeaderInput {
  version: 1 | 2;
  /** Global `pp2-never-send-local`. */
  neverSendLocal: boolean;
  options: ReadonlySet<ProxyV2Option>;
  /** Rendered `set-proxy-v2-tlv-fmt` values, configuration order (v2 only). */
  userTlvs: readonly Tlv[];
  /** The check connection's own local end (getsockname). */
  local: Endpoint;
  /** The server end (getpeername). */
  peer: Endpoint;
}


export function encodeCheckHeader(input: CheckHeaderInput): Buffer {
  const addresses = {
    src: input.local.address,
    srcPort: input.local.port,
    dst: input.peer.address,
    dstPort: input.peer.port,
  };
  if (input.version === 1) return encode({ version: 1, command: 'PROXY', ...addresses });

  const builtin = builtinTlvs(input.options);
  const crc = builtin.crc32c;
  const out = new OutgoingTlvs();
  for (const t of input.userTlvs) out.add(t.type, t.value);
  // The placeholder fixes the CRC32C TLV's position before SSL; the codec fills its value.
  if (crc) out.addCrc32c();
  if (builtin.ssl) out.add(SSL_TLV_NON_TLS_CLIENT.type, SSL_TLV_NON_TLS_CLIENT.value);
  const tlvs = out.list;

  if (input.neverSendLocal) return encode({ version: 2, command: 'PROXY', ...addresses, tlvs }, { crc32c: crc });
  return encode({ version: 2, command: 'LOCAL', tlvs }, { crc32c: crc });
}
