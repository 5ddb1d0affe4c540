// Wire constants of the PROXY protocol, named as in HAProxy's doc/proxy-protocol.txt.
// Spec names on purpose (PP2_TYPE_AUTHORITY…): greppable against the spec and HAProxy.

/** The 12-byte v2 signature (§2.1). It contains a NUL: never treat it as a C string. */
export const PP2_SIGNATURE: Readonly<Uint8Array> = Uint8Array.of(
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
);
export const PP2_SIGNATURE_BYTES = 12;
/** Fixed part of a v2 header: signature + ver/cmd + fam/transport + len (§2.1). */
export const PP2_HEADER_FIXED_BYTES = 16;
/** "PROXY " — the v1 prefix (§1.1). */
export const PP1_PREFIX = 'PROXY ';

export const PP2_VERSION = 0x20;

export const PP2_COMMAND = {
  LOCAL: 0x0,
  PROXY: 0x1,
} as const;

export const PP2_FAMILY = {
  UNSPEC: 0x0,
  INET: 0x1,
  INET6: 0x2,
  UNIX: 0x3,
} as const;

export const PP2_TRANSPORT = {
  UNSPEC: 0x0,
  STREAM: 0x1,
  DGRAM: 0x2,
} as const;

/** Size of the address block for each listed family (§2.3). */
export const PP2_ADDRESS_BLOCK_BYTES = {
  UNSPEC: 0,
  INET: 12,
  INET6: 36,
  UNIX: 216,
} as const;

/** Length of one UNIX path field inside the v2 address block (§2.3). */
export const PP2_UNIX_PATH_BYTES = 108;

/** Top-level TLV types (§3.2). */
export const PP2_TYPE = {
  ALPN: 0x01,
  AUTHORITY: 0x02,
  CRC32C: 0x03,
  NOOP: 0x04,
  UNIQUE_ID: 0x05,
  SSL: 0x20,
  NETNS: 0x30,
  // Vendor types live in the custom range 0xE0–0xEF; their modules are in tlv/.
  GCP: 0xe0,
  AWS: 0xea,
  AZURE: 0xee,
} as const;

/** Sub-TLV types nested inside PP2_TYPE_SSL (§3.4). */
export const PP2_SUBTYPE_SSL = {
  VERSION: 0x21,
  CN: 0x22,
  CIPHER: 0x23,
  SIG_ALG: 0x24,
  KEY_ALG: 0x25,
  GROUP: 0x26,
  SIG_SCHEME: 0x27,
  CLIENT_CERT: 0x28,
} as const;

/** Bits of the SSL TLV's `client` field (§3.4). */
export const PP2_CLIENT = {
  SSL: 0x01,
  CERT_CONN: 0x02,
  CERT_SESS: 0x04,
} as const;

export type Pp2TypeName = keyof typeof PP2_TYPE;
