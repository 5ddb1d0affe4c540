// Typed helpers for the registered top-level TLVs (§3.2): find them in a decoded header, read
// their values, build them for encode(). Readers return the FIRST occurrence, like HAProxy's
// fc_pp_authority / fc_pp_unique_id (§4.11); findTlvs returns every one, in wire order. SSL is in
// tlv/ssl.ts; vendor TLVs (AWS, Azure, GCP) are in tlv/ and the core never imports them.
import { Buffer } from 'node:buffer';
import { PP2_TYPE } from './constants.js';
import { ProxyProtocolError } from './errors.js';
import type { Tlv } from './header.js';
import { CRC32C_VALUE_BYTES, MAX_TLV_VALUE_BYTES, MAX_UNIQUE_ID_BYTES } from './limits.js';

/** Anything with a TLV list: a decoded ProxyHeader, an EncodeInput. */
export interface HasTlvs {
  readonly tlvs?: readonly Tlv[] | undefined;
}

/** First TLV of `type`, or undefined. */
export function findTlv(header: HasTlvs, type: number): Tlv | undefined {
  const tlvs = header.tlvs;
  if (tlvs === undefined) return undefined;
  for (let i = 0; i < tlvs.length; i++) if (tlvs[i]!.type === type) return tlvs[i];
  return undefined;
}

/** Every TLV of `type`, in wire order (duplicates are legal, §3.1). */
export function findTlvs(header: HasTlvs, type: number): Tlv[] {
  return (header.tlvs ?? []).filter((t) => t.type === type);
}

/** UTF-8 text of a value without copying it. */
export function tlvText(value: Uint8Array): string {
  // A decoded value is a Buffer view already (Buffer input): no second view to make.
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return bytes.toString('utf8');
}

/** A TLV from a type and a value (string → UTF-8). Throws TOO_LARGE past 65535 bytes (§3.1). */
export function tlv(type: number, value: string | Uint8Array): Tlv {
  if (!Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new ProxyProtocolError('BAD_TLV', `TLV type ${type} is not a byte`);
  }
  // Always a Buffer (a view, never a copy, for Uint8Array input), like decoded values.
  const bytes =
    typeof value === 'string'
      ? Buffer.from(value, 'utf8')
      : Buffer.isBuffer(value)
        ? value
        : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes.length > MAX_TLV_VALUE_BYTES) {
    throw new ProxyProtocolError('TOO_LARGE', `TLV value of ${bytes.length} bytes (max ${MAX_TLV_VALUE_BYTES})`);
  }
  return { type, value: bytes };
}

function readText(header: HasTlvs, type: number): string | undefined {
  const t = findTlv(header, type);
  return t === undefined ? undefined : tlvText(t.value);
}

/** PP2_TYPE_ALPN (0x01): the negotiated application protocol, e.g. `h2`. */
export function readAlpn(header: HasTlvs): string | undefined {
  return readText(header, PP2_TYPE.ALPN);
}
export function alpnTlv(protocol: string | Uint8Array): Tlv {
  return tlv(PP2_TYPE.ALPN, protocol);
}

/** PP2_TYPE_AUTHORITY (0x02): the host name (the TLS SNI when there is one), UTF-8. */
export function readAuthority(header: HasTlvs): string | undefined {
  return readText(header, PP2_TYPE.AUTHORITY);
}
export function authorityTlv(host: string): Tlv {
  return tlv(PP2_TYPE.AUTHORITY, host);
}

/** PP2_TYPE_UNIQUE_ID (0x05): opaque connection id, at most 128 bytes. Raw bytes (a view). */
export function readUniqueId(header: HasTlvs): Uint8Array | undefined {
  return findTlv(header, PP2_TYPE.UNIQUE_ID)?.value;
}
/** Throws BAD_TLV past 128 bytes: receivers (ours, HAProxy) refuse longer ids (§3.2). */
export function uniqueIdTlv(id: string | Uint8Array): Tlv {
  const t = tlv(PP2_TYPE.UNIQUE_ID, id);
  if (t.value.length > MAX_UNIQUE_ID_BYTES) {
    throw new ProxyProtocolError('BAD_TLV', `UNIQUE_ID of ${t.value.length} bytes (max ${MAX_UNIQUE_ID_BYTES})`);
  }
  return t;
}

/** PP2_TYPE_NETNS (0x30): the network-namespace name, ASCII. */
export function readNetns(header: HasTlvs): string | undefined {
  return readText(header, PP2_TYPE.NETNS);
}
export function netnsTlv(name: string): Tlv {
  return tlv(PP2_TYPE.NETNS, name);
}

/** PP2_TYPE_NOOP (0x04): `length` zero bytes of padding (a NOOP pads by 3 + length, §3.2). */
export function noopTlv(length = 0): Tlv {
  return tlv(PP2_TYPE.NOOP, Buffer.alloc(length));
}

/**
 * PP2_TYPE_CRC32C (0x03) as received (big-endian). decode() has already verified it, so this
 * is informational. Undefined when absent.
 */
export function readCrc32c(header: HasTlvs): number | undefined {
  const t = findTlv(header, PP2_TYPE.CRC32C);
  if (t === undefined || t.value.length !== CRC32C_VALUE_BYTES) return undefined;
  const v = t.value;
  return ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
}

/**
 * A CRC32C placeholder (4 zero bytes). encode() fills in the checksum wherever it stands, so
 * `[crc32cTlv(), alpnTlv('h2')]` reproduces HAProxy's TLV order (CRC32C before ALPN, §2.8).
 */
export function crc32cTlv(): Tlv {
  return { type: PP2_TYPE.CRC32C, value: Buffer.alloc(CRC32C_VALUE_BYTES) };
}
