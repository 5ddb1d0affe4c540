// Azure Private Link TLV, type 0xEE in the custom range (§3.5).
// Value: byte 0 = subtype; subtype 0x01 (PP2_SUBTYPE_AZURE_PRIVATEENDPOINT_LINKID) is followed
// by the private endpoint's LINKID as a uint32 LITTLE-endian (the one little-endian field in the
// whole protocol): value length exactly 5. Example: `01 c1 45 00 21` → 0x210045C1 = 553665985.
// Vendor module: the core codec never imports it (lint rule); import '@truehop/proxy-protocol/azure'.
import { Buffer } from 'node:buffer';
import { PP2_TYPE } from '../constants.js';
import { ProxyProtocolError } from '../errors.js';
import type { ProxyHeader, Tlv } from '../header.js';

export const PP2_TYPE_AZURE = PP2_TYPE.AZURE;
export const PP2_SUBTYPE_AZURE_PRIVATEENDPOINT_LINKID = 0x01;
/** subtype (1) + LINKID (4). */
export const AZURE_LINKID_VALUE_BYTES = 5;

function badTlv(message: string): ProxyProtocolError {
  return new ProxyProtocolError('BAD_TLV', `PP2_TYPE_AZURE (0xEE): ${message}`);
}

/**
 * Decodes one 0xEE TLV value: the LINKID for subtype 0x01, undefined for other subtypes.
 * The layout is fixed (§3.5), so a LINKID value of any length other than 5 is BAD_TLV rather
 * than a guess: reading 4 bytes out of 3, or ignoring a 6th, would give an ACL a wrong id.
 */
export function decodeAzureLinkId(value: Uint8Array): number | undefined {
  if (value.length === 0) throw badTlv('empty value: the subtype byte is missing (§3.5)');
  if (value[0] !== PP2_SUBTYPE_AZURE_PRIVATEENDPOINT_LINKID) return undefined;
  if (value.length !== AZURE_LINKID_VALUE_BYTES) {
    throw badTlv(`LINKID value is ${value.length} bytes, must be exactly ${AZURE_LINKID_VALUE_BYTES} (§3.5)`);
  }
  // Little-endian: byte 1 is the least significant (§3.5).
  return ((value[1] as number) | (value[2] as number) << 8 | (value[3] as number) << 16) + (value[4] as number) * 0x1000000;
}

/**
 * The LINKID of the first 0xEE TLV with subtype 0x01, or undefined when there is none.
 * Throws BAD_TLV on a malformed 0xEE TLV met on the way.
 */
export function readAzureLinkId(header: Pick<ProxyHeader, 'tlvs'>): number | undefined {
  for (const tlv of header.tlvs) {
    if (tlv.type !== PP2_TYPE_AZURE) continue;
    const id = decodeAzureLinkId(tlv.value);
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Builds the 0xEE TLV (subtype 0x01, LINKID little-endian). `id` must be a uint32. */
export function azureLinkIdTlv(id: number): Tlv {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw badTlv(`LINKID ${id} is not a uint32`);
  // A Buffer, like decoded TLV values and the core builders' values.
  const value = Buffer.alloc(AZURE_LINKID_VALUE_BYTES);
  value[0] = PP2_SUBTYPE_AZURE_PRIVATEENDPOINT_LINKID;
  value.writeUInt32LE(id, 1);
  return { type: PP2_TYPE_AZURE, value };
}
