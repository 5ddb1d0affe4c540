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

/** A header whose addresses replace the socket's: TCP over IPv4 or IPv6, every field present. */
export type AddressedHeader = ProxyHeader & {
  command: 'PROXY';
  family: 'INET' | 'INET6';
  transport: 'STREAM';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
};

/**
 * True when a TCP receiver must replace the socket's addresses with the header's: command PROXY,
 * family INET or INET6, transport STREAM (v1 TCP4/TCP6 are STREAM). Everything else keeps the
 * real socket endpoints:
 * - LOCAL (§2.4): the proxy's own connection (a health check), addresses ignored;
 * - v1 UNKNOWN (§1.4) and v2 UNSPEC (§2.4): the sender could not describe the connection;
 * - DGRAM (UDP, §2.3, §2.5) and UNIX paths (§2.3): combinations a TCP receiver does not
 *   implement, which the spec says to handle as UNSPEC (§2.3). Reporting a UDP peer or a path
 *   as the client of a TCP connection would name an endpoint that never connected to us.
 * The one rule the daemon's data path, @truehop/node and the sample fetches all apply; as a type
 * guard it also tells the compiler that src, dst and the ports are set.
 */
export function carriesAddresses(header: ProxyHeader): header is AddressedHeader {
  return (
    header.command === 'PROXY' &&
    (header.family === 'INET' || header.family === 'INET6') &&
    header.transport === 'STREAM' &&
    header.src !== null && header.srcPort !== null && header.dst !== null && header.dstPort !== null
  );
}
