// The decoded shape of a PROXY header, shared by v1 and v2 (the fields of `expect` in
// test/fixtures/vectors.json). Addresses are text: IPv4 dotted quad, IPv6 canonical as
// `net.SocketAddress`/inet_ntop prints it, UNIX the path up to its first NUL.

export type ProxyVersion = 1 | 2;
export type ProxyCommand = 'PROXY' | 'LOCAL';
export type V1Protocol = 'TCP4' | 'TCP6' | 'UNKNOWN';
/**
 * Text of a nibble the spec leaves undefined (`0x4` … `0xF`). Only a LOCAL v2 header can carry
 * one (the family byte is ignored there, §2.4); PROXY headers with one are rejected.
 */
export type UndefinedNibble = `0x${string}`;
export type AddressFamily = 'INET' | 'INET6' | 'UNIX' | 'UNSPEC' | UndefinedNibble;
export type Transport = 'STREAM' | 'DGRAM' | 'UNSPEC' | UndefinedNibble;

/** One TLV as it stood on the wire. `value` may be a view into the caller's buffer. */
export interface Tlv {
  type: number;
  value: Uint8Array;
}

export interface ProxyHeader {
  version: ProxyVersion;
  command: ProxyCommand;
  /** v1 only. */
  protocol?: V1Protocol;
  family: AddressFamily;
  transport: Transport;
  /** null for LOCAL, v1 UNKNOWN and UNSPEC: the receiver keeps the real socket addresses. */
  src: string | null;
  srcPort: number | null;
  dst: string | null;
  dstPort: number | null;
  /** Top-level TLVs in wire order, duplicates kept (always empty for v1). */
  tlvs: Tlv[];
}

/**
 * True when the header names the original client, i.e. the receiver should replace the
 * socket's addresses: PROXY command with an INET/INET6 (or UNIX) address block.
 * LOCAL, v1 UNKNOWN and UNSPEC keep the real addresses (§1.4, §2.4).
 */
export function carriesAddresses(header: ProxyHeader): boolean {
  return header.command === 'PROXY' && header.src !== null;
}
