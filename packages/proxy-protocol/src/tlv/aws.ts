// AWS Network Load Balancer / PrivateLink TLV, type 0xEA in the custom range (§3.5).
// Value: byte 0 = subtype; subtype 0x01 (PP2_SUBTYPE_AWS_VPCE_ID) is followed by the VPC
// endpoint id in ASCII, e.g. "vpce-08d2bf15fac5001c9". Other subtypes are AWS's to define:
// they are not errors, this module simply does not name them.
// Vendor module: the core codec never imports it (lint rule); import '@truehop/proxy-protocol/aws'.
import { Buffer } from 'node:buffer';
import { PP2_TYPE } from '../constants.js';
import { ProxyProtocolError } from '../errors.js';
import type { ProxyHeader, Tlv } from '../header.js';

export const PP2_TYPE_AWS = PP2_TYPE.AWS;
export const PP2_SUBTYPE_AWS_VPCE_ID = 0x01;

/**
 * A VPC endpoint id is `vpce-` plus hex; we accept the wider `[A-Za-z0-9-]+` that other strict
 * parsers use (§3.5, go-proxyproto). The id feeds ACLs and logs: rejecting anything else stops
 * a forged header from smuggling CR/LF, NUL or spaces into a log line or an allow-list match.
 * A 256-entry table: one load per byte on the per-connection path, no regex.
 */
const ID_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-') ID_BYTE[c.charCodeAt(0)] = 1;

/**
 * All connections through one NLB endpoint carry the same id, so the last id decoded is kept
 * (bytes copied, ≤ MEMO_MAX_BYTES) and handed back without building a new string when the next
 * header carries the same bytes. A pure cache: same bytes, same string.
 */
const MEMO_MAX_BYTES = 64;
let memoBytes = new Uint8Array(0);
let memoId = '';

function badTlv(message: string): ProxyProtocolError {
  return new ProxyProtocolError('BAD_TLV', `PP2_TYPE_AWS (0xEA): ${message}`);
}

/** Scratch for the char codes of one id (≤ MEMO_MAX_BYTES); reused by every call. */
const CODES: number[] = [];

function badId(byte: number): ProxyProtocolError {
  return badTlv(`byte 0x${byte.toString(16).padStart(2, '0')} in the VPC endpoint id is not [A-Za-z0-9-] (§3.5)`);
}

function isValidId(id: string): boolean {
  if (id.length === 0) return false;
  for (let i = 0; i < id.length; i++) if (ID_BYTE[id.charCodeAt(i)] !== 1) return false;
  return true;
}

/**
 * Decodes one 0xEA TLV value: the VPC endpoint id for subtype 0x01, undefined for any other
 * subtype. An empty value (no subtype byte) or a malformed id is BAD_TLV.
 */
export function decodeAwsVpceId(value: Uint8Array): string | undefined {
  const n = value.length;
  if (n === 0) throw badTlv('empty value: the subtype byte is missing (§3.5)');
  if (value[0] !== PP2_SUBTYPE_AWS_VPCE_ID) return undefined;
  if (n === 1) throw badTlv('empty VPC endpoint id (§3.5)');
  if (n - 1 === memoBytes.length) {
    let same = true;
    for (let i = 1; i < n; i++) {
      if (value[i] !== memoBytes[i - 1]) {
        same = false;
        break;
      }
    }
    if (same) return memoId; // memoBytes only ever holds a validated id
  }
  if (n - 1 > MEMO_MAX_BYTES) {
    // Longer than any real id: validate, then one latin1 decode (exact for validated ASCII).
    for (let i = 1; i < n; i++) if (ID_BYTE[value[i] as number] !== 1) throw badId(value[i] as number);
    return Buffer.from(value.buffer, value.byteOffset + 1, n - 1).toString('latin1');
  }
  // Validate while collecting the char codes in a reused array: one fromCharCode call builds the
  // string, with no view or Buffer allocated (measured ~2x faster than a Buffer view + toString).
  CODES.length = n - 1;
  for (let i = 1; i < n; i++) {
    const c = value[i] as number;
    if (ID_BYTE[c] !== 1) throw badId(c);
    CODES[i - 1] = c;
  }
  const id = String.fromCharCode.apply(null, CODES);
  memoBytes = value.slice(1);
  memoId = id;
  return id;
}

/**
 * The VPC endpoint id of the first 0xEA TLV with subtype 0x01, or undefined when the header has
 * none. Throws BAD_TLV on a malformed 0xEA TLV met on the way (never skips past bad input).
 */
export function readAwsVpceId(header: Pick<ProxyHeader, 'tlvs'>): string | undefined {
  for (const tlv of header.tlvs) {
    if (tlv.type !== PP2_TYPE_AWS) continue;
    const id = decodeAwsVpceId(tlv.value);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Builds the 0xEA TLV carrying `id` with subtype 0x01. Throws BAD_TLV for an id a strict reader would reject. */
export function awsVpceIdTlv(id: string): Tlv {
  // The id is ASCII-only (checked first), so its length in bytes equals its length in chars
  // and the 0xFFFF value cap of §3.1 can be checked on the string.
  if (!isValidId(id)) throw badTlv(`VPC endpoint id ${JSON.stringify(id)} is empty or not [A-Za-z0-9-] ASCII`);
  if (id.length + 1 > 0xffff) {
    throw new ProxyProtocolError('TOO_LARGE', `PP2_TYPE_AWS (0xEA): value would be ${id.length + 1} bytes, a TLV holds at most 65535 (§3.1)`);
  }
  // A Buffer, like decoded TLV values and the core builders' values.
  const value = Buffer.alloc(id.length + 1);
  value[0] = PP2_SUBTYPE_AWS_VPCE_ID;
  value.write(id, 1, 'latin1');
  return { type: PP2_TYPE_AWS, value };
}
