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
import { encode, PP2_TYPE } from '@truehop/proxy-protocol';
import type { Tlv } from '@truehop/proxy-protocol';
import { sslTlv } from '@truehop/proxy-protocol/ssl';
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

const SSL_OPTIONS: readonly ProxyV2Option[] = ['ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key'];
const CRC32C_VALUE_BYTES = 4;

export function encodeCheckHeader(input: CheckHeaderInput): Buffer {
  const addresses = {
    src: input.local.address,
    srcPort: input.local.port,
    dst: input.peer.address,
    dstPort: input.peer.port,
  };
  if (input.version === 1) return encode({ version: 1, command: 'PROXY', ...addresses });

  const tlvs: Tlv[] = [...input.userTlvs];
  const crc = input.options.has('crc32c');
  // The placeholder fixes the CRC32C TLV's position before SSL; the codec fills its value.
  if (crc) tlvs.push({ type: PP2_TYPE.CRC32C, value: new Uint8Array(CRC32C_VALUE_BYTES) });
  if (SSL_OPTIONS.some((option) => input.options.has(option))) tlvs.push(sslTlv({ client: 0, verify: 0 }));

  if (input.neverSendLocal) return encode({ version: 2, command: 'PROXY', ...addresses, tlvs }, { crc32c: crc });
  return encode({ version: 2, command: 'LOCAL', tlvs }, { crc32c: crc });
}
