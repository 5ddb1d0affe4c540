// PP2_TYPE_SSL (0x20): what the TLS-terminating proxy knew about the client's TLS session (§3.4).
// Value layout: client (1 byte bit field), verify (uint32 big-endian), then nested sub-TLVs
// 0x21–0x28 in the generic 3-byte-header format, filling the value exactly.
//
// Security note (§3.4): `verify == 0` alone does NOT mean "the client presented a verified
// certificate". HAProxy sends verify = 0 when the client presented no certificate at all.
// Use `certVerified` (a certificate was presented on this connection or session AND verify is 0)
// or check `certInConnection` / `certInSession` yourself; trusting `verify` alone lets a client
// without any certificate pass an mTLS check.
import { Buffer } from 'node:buffer';
import { PP2_CLIENT, PP2_SUBTYPE_SSL, PP2_TYPE } from '../constants.js';
import { ProxyProtocolError } from '../errors.js';
import type { ProxyHeader, Tlv } from '../header.js';
import { checkTlvRule } from '../tlv-rules.js';
import { walkTlvs } from '../tlv-walk.js';
// MIN_SSL_VALUE_BYTES: client (1) + verify (4), the fixed part (§3.4). TLV_HEADER_BYTES: a
// sub-TLV's own type (1) + length (2, big-endian) (§3.1).
import { MAX_TLV_VALUE_BYTES, MIN_SSL_VALUE_BYTES as PP2_SSL_FIXED_BYTES, TLV_HEADER_BYTES as SUB_TLV_HEADER_BYTES } from '../limits.js';

/** The named sub-TLVs (§3.2), read by `decodeSsl` and written by `sslTlv`. */
interface SslSubTlvFields {
  /** PP2_SUBTYPE_SSL_VERSION (0x21), e.g. "TLSv1.3". */
  version?: string;
  /** PP2_SUBTYPE_SSL_CN (0x22): the client certificate's subject CN (UTF-8). */
  cn?: string;
  /** PP2_SUBTYPE_SSL_CIPHER (0x23), e.g. "ECDHE-RSA-AES128-GCM-SHA256". */
  cipher?: string;
  /** PP2_SUBTYPE_SSL_SIG_ALG (0x24): signature algorithm of the frontend certificate. */
  sigAlg?: string;
  /** PP2_SUBTYPE_SSL_KEY_ALG (0x25): key algorithm of the frontend certificate. */
  keyAlg?: string;
  /** PP2_SUBTYPE_SSL_GROUP (0x26): key-exchange group, e.g. "secp256r1". */
  group?: string;
  /** PP2_SUBTYPE_SSL_SIG_SCHEME (0x27), e.g. "rsa_pss_rsae_sha256". */
  sigScheme?: string;
  /** PP2_SUBTYPE_SSL_CLIENT_CERT (0x28): DER client certificate (decoded, a view into the header bytes). */
  clientCert?: Uint8Array;
}

export interface SslInfo extends SslSubTlvFields {
  /** The raw `client` bit field (PP2_CLIENT.SSL | CERT_CONN | CERT_SESS). */
  client: number;
  /** X509 verify result, uint32. 0 = verified OR no certificate presented: see `certVerified`. */
  verify: number;
  /** PP2_CLIENT_SSL: the client connected over TLS. */
  clientSsl: boolean;
  /** PP2_CLIENT_CERT_CONN: the client presented a certificate on this connection. */
  certInConnection: boolean;
  /** PP2_CLIENT_CERT_SESS: the client presented a certificate at least once in this TLS session. */
  certInSession: boolean;
  /** A certificate was presented (connection or session bit) and verify is 0. The safe mTLS test. */
  certVerified: boolean;
  /** Every sub-TLV in wire order, including types this version does not name. */
  subTlvs: Tlv[];
}

type SslTextField = 'version' | 'cn' | 'cipher' | 'sigAlg' | 'keyAlg' | 'group' | 'sigScheme';

/** Sub-TLV type → field, for the text-valued sub-TLVs (§3.2). CN is UTF-8, the rest ASCII. */
const TEXT_FIELDS: ReadonlyMap<number, SslTextField> = new Map<number, SslTextField>([
  [PP2_SUBTYPE_SSL.VERSION, 'version'],
  [PP2_SUBTYPE_SSL.CN, 'cn'],
  [PP2_SUBTYPE_SSL.CIPHER, 'cipher'],
  [PP2_SUBTYPE_SSL.SIG_ALG, 'sigAlg'],
  [PP2_SUBTYPE_SSL.KEY_ALG, 'keyAlg'],
  [PP2_SUBTYPE_SSL.GROUP, 'group'],
  [PP2_SUBTYPE_SSL.SIG_SCHEME, 'sigScheme'],
]);

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function badTlv(message: string): ProxyProtocolError {
  return new ProxyProtocolError('BAD_TLV', `PP2_TYPE_SSL: ${message}`);
}

/**
 * Text sub-TLVs end up in logs, headers and ACLs. Control bytes (CR, LF, NUL, ESC…) in them
 * could forge log lines or HTTP headers downstream, so they are rejected: the ASCII fields
 * must be printable ASCII, the CN valid UTF-8 without C0/DEL controls (§3.2 says ASCII / UTF-8).
 */
function decodeText(type: number, value: Uint8Array): string {
  const utf8 = type === PP2_SUBTYPE_SSL.CN;
  for (const byte of value) {
    if (byte < 0x20 || byte === 0x7f || (!utf8 && byte > 0x7e)) {
      throw badTlv(`sub-TLV 0x${type.toString(16)} holds a control or non-ASCII byte 0x${byte.toString(16).padStart(2, '0')}`);
    }
  }
  // Printable ASCII is valid UTF-8, so one strict decoder serves both kinds.
  try {
    return utf8Strict.decode(value);
  } catch (cause) {
    throw new ProxyProtocolError('BAD_TLV', 'PP2_TYPE_SSL: SSL_CN is not valid UTF-8', { cause });
  }
}

/**
 * Decodes the value of a PP2_TYPE_SSL TLV. Strict (§3.4): at least 5 bytes; the sub-TLVs must
 * tile the rest exactly (a sub-TLV overrunning the value, or 1–2 stray bytes, is BAD_TLV: a
 * sloppy walk there is how a parser reads attacker bytes as a CN); a named sub-TLV may appear
 * once only (two CNs would let two readers disagree about who the client is). Unknown sub-TLV
 * types are kept in `subTlvs` and otherwise ignored, as §3.1 asks of unknown types.
 */
export function decodeSsl(value: Uint8Array): SslInfo {
  // The SSL rule (§3.4) and the generic sub-TLV framing (§3.1) are the decoder's own: the same
  // code judges a received header and a value handed to this reader.
  checkTlvRule(PP2_TYPE.SSL, value.length, false, undefined, 'BAD_TLV');
  const subTlvs = walkTlvs(value, PP2_SSL_FIXED_BYTES, value.length);
  const client = value[0] as number;
  // uint32 big-endian, built without a DataView so a Uint8Array view works at any offset.
  const verify = ((value[1] as number) * 0x1000000 + ((value[2] as number) << 16 | (value[3] as number) << 8 | (value[4] as number))) >>> 0;
  const certInConnection = (client & PP2_CLIENT.CERT_CONN) !== 0;
  const certInSession = (client & PP2_CLIENT.CERT_SESS) !== 0;
  const info: SslInfo = {
    client,
    verify,
    clientSsl: (client & PP2_CLIENT.SSL) !== 0,
    certInConnection,
    certInSession,
    certVerified: (certInConnection || certInSession) && verify === 0,
    subTlvs,
  };
  for (const { type, value: sub } of subTlvs) {
    const field = TEXT_FIELDS.get(type);
    if (field !== undefined) {
      if (info[field] !== undefined) throw badTlv(`sub-TLV 0x${type.toString(16)} appears twice`);
      info[field] = decodeText(type, sub);
    } else if (type === PP2_SUBTYPE_SSL.CLIENT_CERT) {
      if (info.clientCert !== undefined) throw badTlv('sub-TLV 0x28 (client certificate) appears twice');
      info.clientCert = sub;
    }
  }
  return info;
}

/** The first PP2_TYPE_SSL TLV of the header, decoded; undefined when there is none. Throws BAD_TLV if malformed. */
export function readSsl(header: Pick<ProxyHeader, 'tlvs'>): SslInfo | undefined {
  for (const tlv of header.tlvs) {
    if (tlv.type === PP2_TYPE.SSL) return decodeSsl(tlv.value);
  }
  return undefined;
}

export interface SslTlvInput extends SslSubTlvFields {
  /** Raw client bit field; OR-ed with the boolean flags below. Default 0. */
  client?: number;
  clientSsl?: boolean;
  certInConnection?: boolean;
  certInSession?: boolean;
  /** uint32 X509 verify result. Default 0 (which does not by itself mean "verified": §3.4). */
  verify?: number;
  /** Extra sub-TLVs appended after the named ones, in the given order. */
  subTlvs?: readonly Tlv[];
}

const utf8Encoder = new TextEncoder();

/**
 * Builds a PP2_TYPE_SSL TLV. Named sub-TLVs are written in type order (0x21 … 0x28), then
 * `subTlvs`. Values are validated like the reader validates them, so what this builds always
 * decodes: a sender must not emit what a strict receiver rejects.
 */
export function sslTlv(input: SslTlvInput): Tlv {
  let client = input.client ?? 0;
  if (!Number.isInteger(client) || client < 0 || client > 0xff) throw badTlv(`client ${client} is not a byte`);
  if (input.clientSsl === true) client |= PP2_CLIENT.SSL;
  if (input.certInConnection === true) client |= PP2_CLIENT.CERT_CONN;
  if (input.certInSession === true) client |= PP2_CLIENT.CERT_SESS;
  const verify = input.verify ?? 0;
  if (!Number.isInteger(verify) || verify < 0 || verify > 0xffffffff) throw badTlv(`verify ${verify} is not a uint32`);

  const subs: Tlv[] = [];
  for (const [type, field] of TEXT_FIELDS) {
    const text = input[field];
    if (text === undefined) continue;
    const bytes = utf8Encoder.encode(text);
    decodeText(type, bytes); // same rules as the reader
    subs.push({ type, value: bytes });
  }
  if (input.clientCert !== undefined) subs.push({ type: PP2_SUBTYPE_SSL.CLIENT_CERT, value: input.clientCert });
  if (input.subTlvs !== undefined) subs.push(...input.subTlvs);

  let total = PP2_SSL_FIXED_BYTES;
  for (const sub of subs) {
    if (!Number.isInteger(sub.type) || sub.type < 0 || sub.type > 0xff) throw badTlv(`sub-TLV type ${sub.type} is not a byte`);
    total += SUB_TLV_HEADER_BYTES + sub.value.length;
  }
  if (total > MAX_TLV_VALUE_BYTES) {
    throw new ProxyProtocolError('TOO_LARGE', `PP2_TYPE_SSL: value would be ${total} bytes, a TLV holds at most ${MAX_TLV_VALUE_BYTES} (§3.1)`);
  }
  // A Buffer, like decoded TLV values and the core builders' values.
  const value = Buffer.alloc(total);
  value[0] = client;
  value[1] = verify >>> 24;
  value[2] = (verify >>> 16) & 0xff;
  value[3] = (verify >>> 8) & 0xff;
  value[4] = verify & 0xff;
  let offset = PP2_SSL_FIXED_BYTES;
  for (const sub of subs) {
    value[offset] = sub.type;
    value[offset + 1] = sub.value.length >>> 8;
    value[offset + 2] = sub.value.length & 0xff;
    value.set(sub.value, offset + SUB_TLV_HEADER_BYTES);
    offset += SUB_TLV_HEADER_BYTES + sub.value.length;
  }
  // Extra subTlvs may duplicate a named one: check the result with the reader's own rules.
  decodeSsl(value);
  return { type: PP2_TYPE.SSL, value };
}
