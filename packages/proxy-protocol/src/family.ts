// The v2 family/transport byte (§2.3): the name of each nibble, the listed combinations and the
// size of their address block. One table for the decoder and the encoder, so the two can never
// disagree about which bytes are listed or where the TLVs start.
import { PP2_ADDRESS_BLOCK_BYTES, PP2_FAMILY, PP2_TRANSPORT } from './constants.js';
import type { AddressFamily, Transport } from './header.js';

/**
 * Address-block size of each family/transport byte the spec lists, -1 for the others:
 * 0x00 UNSPEC; 0x11/0x12 INET stream/dgram; 0x21/0x22 INET6; 0x31/0x32 UNIX (§2.3). An unlisted
 * byte has no address layout: under PROXY it is refused, since guessing a layout would hand out
 * a garbage or spoofed address.
 */
const BLOCK_BYTES = new Int16Array(256).fill(-1);
BLOCK_BYTES[(PP2_FAMILY.UNSPEC << 4) | PP2_TRANSPORT.UNSPEC] = PP2_ADDRESS_BLOCK_BYTES.UNSPEC;
for (const family of ['INET', 'INET6', 'UNIX'] as const) {
  for (const transport of [PP2_TRANSPORT.STREAM, PP2_TRANSPORT.DGRAM]) {
    BLOCK_BYTES[(PP2_FAMILY[family] << 4) | transport] = PP2_ADDRESS_BLOCK_BYTES[family];
  }
}

/** Size of the address block of a listed family/transport byte, -1 when the byte is not listed. */
export function addressBlockBytes(famTrans: number): number {
  return BLOCK_BYTES[famTrans & 0xff]!;
}

const FAMILY_NAMES: readonly AddressFamily[] = ['UNSPEC', 'INET', 'INET6', 'UNIX'];
const TRANSPORT_NAMES: readonly Transport[] = ['UNSPEC', 'STREAM', 'DGRAM'];

/** A nibble the spec leaves undefined, as text: `0xN` (only a LOCAL header can carry one, §2.4). */
function undefinedNibble(nibble: number): `0x${string}` {
  return `0x${nibble.toString(16).toUpperCase()}`;
}

/** Name of the family nibble (the byte's high half). */
export function familyName(nibble: number): AddressFamily {
  return FAMILY_NAMES[nibble] ?? undefinedNibble(nibble);
}

/** Name of the transport nibble (the byte's low half). */
export function transportName(nibble: number): Transport {
  return TRANSPORT_NAMES[nibble] ?? undefinedNibble(nibble);
}

const UNDEFINED_NIBBLE_TEXT = /^0x[0-9a-fA-F]$/;

function nibbleOf(name: string, names: readonly string[]): number {
  const known = names.indexOf(name);
  if (known >= 0) return known;
  // `0xN` text for a nibble the spec leaves undefined, as familyName/transportName write it.
  return UNDEFINED_NIBBLE_TEXT.test(name) ? parseInt(name.slice(2), 16) : -1;
}

/** The family nibble named `name` (`'INET'`, or `0xN` text), -1 for any other text. */
export function familyNibble(name: string): number {
  return nibbleOf(name, FAMILY_NAMES);
}

/** The transport nibble named `name` (`'STREAM'`, or `0xN` text), -1 for any other text. */
export function transportNibble(name: string): number {
  return nibbleOf(name, TRANSPORT_NAMES);
}
