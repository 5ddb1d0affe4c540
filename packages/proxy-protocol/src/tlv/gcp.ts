// Google Cloud Private Service Connect TLV, type 0xE0 in the custom range (§3.5).
// Value: NO subtype; exactly 8 bytes, the pscConnectionId as a uint64 big-endian. Ids exceed
// 2^53 in practice, so they are bigint or decimal string here, never a lossy JS number.
// Example: `00 9b 34 d7 0a 00 3c 64` → 43686719580552292.
// 0xE0 is in the custom range (§3.2): only read it from a GCP PSC producer, where Google
// defines it; another sender may use 0xE0 for something else.
// Vendor module: the core codec never imports it (lint rule); import '@truehop/proxy-protocol/gcp'.
import { Buffer } from 'node:buffer';
import { PP2_TYPE } from '../constants.js';
import { ProxyProtocolError } from '../errors.js';
import type { ProxyHeader, Tlv } from '../header.js';

export const PP2_TYPE_GCP = PP2_TYPE.GCP;
export const GCP_PSC_CONNECTION_ID_BYTES = 8;
const MAX_UINT64 = 0xffff_ffff_ffff_ffffn;
const DECIMAL = /^[0-9]{1,20}$/;

function badTlv(message: string): ProxyProtocolError {
  return new ProxyProtocolError('BAD_TLV', `PP2_TYPE_GCP (0xE0): ${message}`);
}

/**
 * Decodes one 0xE0 value. Fixed layout (§3.5): any length but 8 is BAD_TLV — zero-padding a
 * short value or dropping extra bytes would hand an ACL a connection id nobody sent.
 */
export function decodeGcpPscConnectionId(value: Uint8Array): bigint {
  if (value.length !== GCP_PSC_CONNECTION_ID_BYTES) {
    throw badTlv(`value is ${value.length} bytes, must be exactly ${GCP_PSC_CONNECTION_ID_BYTES} (§3.5)`);
  }
  // Two exact 32-bit halves: no float rounding, works on any Uint8Array view.
  const high = ((value[0] as number) * 0x1000000 + ((value[1] as number) << 16 | (value[2] as number) << 8 | (value[3] as number))) >>> 0;
  const low = ((value[4] as number) * 0x1000000 + ((value[5] as number) << 16 | (value[6] as number) << 8 | (value[7] as number))) >>> 0;
  return (BigInt(high) << 32n) | BigInt(low);
}

/** The PSC connection id of the first 0xE0 TLV, or undefined when there is none. Throws BAD_TLV if malformed. */
export function readGcpPscConnectionId(header: Pick<ProxyHeader, 'tlvs'>): bigint | undefined {
  for (const tlv of header.tlvs) {
    if (tlv.type === PP2_TYPE_GCP) return decodeGcpPscConnectionId(tlv.value);
  }
  return undefined;
}

/** Same as readGcpPscConnectionId, as a decimal string (what logs and JSON want). */
export function gcpPscConnectionIdString(header: Pick<ProxyHeader, 'tlvs'>): string | undefined {
  return readGcpPscConnectionId(header)?.toString(10);
}

/** Builds the 0xE0 TLV. `id` is a bigint or a decimal string, 0 ≤ id < 2^64. */
export function gcpPscConnectionIdTlv(id: bigint | string): Tlv {
  let n: bigint;
  if (typeof id === 'string') {
    // Decimal digits only: BigInt() would also take "0x…", " 12 " or "" (= 0n), and a
    // string id that silently meant something else is exactly the bug this API exists to avoid.
    if (!DECIMAL.test(id)) throw badTlv(`connection id ${JSON.stringify(id)} is not a decimal number`);
    n = BigInt(id);
  } else {
    n = id;
  }
  if (n < 0n || n > MAX_UINT64) throw badTlv(`connection id ${n} is outside uint64`);
  // A Buffer, like decoded TLV values and the core builders' values.
  const value = Buffer.alloc(GCP_PSC_CONNECTION_ID_BYTES);
  value.writeBigUInt64BE(n, 0);
  return { type: PP2_TYPE_GCP, value };
}
