// The PROXY header a server receives, byte-identical to HAProxy's for the same situation
// (spec §1.6, §2.8, §4.3–§4.7). Compiled once per server: which version, which TLVs in which
// order, constant TLVs prebuilt; per connection only the addresses and the rendered values
// change. Encoding itself is the codec's job (`encode`); this module only decides *what* to
// send.
//
// §4.3 table, as implemented here:
// - plain client → PROXY with the real client → local addresses;
// - client came through a PROXY header with addresses (v1 TCP4/6, v2 PROXY INET/INET6) →
//   the advertised addresses; received TLVs are NOT forwarded (only what the config asks);
// - v2 LOCAL, v1 UNKNOWN, or v2 PROXY with a family we do not take addresses from → PROXY
//   with the real peer/local addresses (never LOCAL, never UNKNOWN: HAProxy does the same);
// - mixed families (one end IPv4, the other IPv6) → the codec maps the IPv4 end to
//   `::ffff:a.b.c.d` (TCP6 / 0x21);
// - v2 TLV order: user TLVs (set-proxy-v2-tlv-fmt, config order) → CRC32C → ALPN →
//   AUTHORITY → UNIQUE_ID → SSL; the CRC is computed last, over the finished header (§3.3).
// - a client that came over TLS (ssl bind): the ALPN TLV whenever a protocol was negotiated
//   (HAProxy sends it without any option), AUTHORITY falls back to the SNI, and the SSL TLV
//   carries the session (HAProxy 2.6 make_proxy_line_v2, see sslTlvValue).
import { Buffer } from 'node:buffer';
import { encode, PP2_SUBTYPE_SSL, PP2_TYPE, type Tlv } from '@truehop/proxy-protocol';
import { sslTlv } from '@truehop/proxy-protocol/ssl';
import type { TlsSession } from '../model/session.js';
import { certificateParts, dnEntry } from '../sample/x509-der.js';
import type { ProxyV2Option, ServerModel } from '../model/config-model.js';
import type { SessionContext } from '../model/session.js';

/**
 * HAProxy builds the header in one buffer of `tune.bufsize` (16 KiB by default) and silently
 * drops a TLV that does not fit (§4.7). We keep the same ceiling so a user TLV format that
 * expands to megabytes (e.g. a large variable) cannot make us send a giant header: the
 * offending TLV is dropped, the connection still goes through.
 */
export const MAX_OUTGOING_HEADER_BYTES = 16384;
/** One TLV's value is at most 65535 bytes by the wire format (§3.1). */
const MAX_TLV_VALUE_BYTES = 0xffff;
/** v2 fixed part + the largest address block we send (INET6). */
const V2_FIXED_AND_ADDRESS_BYTES = 16 + 36;
/** 3 bytes of TLV type + length. */
const TLV_HEAD_BYTES = 3;
/** §3.2: UNIQUE_ID values longer than this are rejected by receivers. */
const MAX_UNIQUE_ID_BYTES = 128;

const SSL_OPTIONS: readonly ProxyV2Option[] = ['ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key'];

/**
 * The SSL TLV for a client that did not use TLS (a plain bind, or a health check): HAProxy emits it whenever an SSL option is on, with client = 0,
 * verify = 0 and no sub-TLVs (§3.4; observed from HAProxy 2.6 as `20 0005 00 00000000`).
 */
export const SSL_TLV_NON_TLS_CLIENT: Tlv = { type: PP2_TYPE.SSL, value: new Uint8Array(5) };
/** A zeroed CRC32C value fixing the TLV's place; the codec fills the checksum in its output (§3.3). */
const CRC32C_PLACEHOLDER = new Uint8Array(4);
const EMPTY = new Uint8Array(0);

/** The built-in v2 TLVs a server's `proxy-v2-options` ask for, decided once per server. */
export interface BuiltinTlvs {
  readonly crc32c: boolean;
  readonly authority: boolean;
  readonly uniqueId: boolean;
  readonly ssl: boolean;
  /** SSL sub-TLVs beyond the version: cert-cn, cert-key, cert-sig, ssl-cipher. */
  readonly sslCn: boolean;
  readonly sslKeyAlg: boolean;
  readonly sslSigAlg: boolean;
  readonly sslCipher: boolean;
}

export function builtinTlvs(options: ReadonlySet<ProxyV2Option>): BuiltinTlvs {
  return {
    crc32c: options.has('crc32c'),
    authority: options.has('authority'),
    uniqueId: options.has('unique-id'),
    ssl: SSL_OPTIONS.some((o) => options.has(o)),
    sslCn: options.has('cert-cn'),
    sslKeyAlg: options.has('cert-key'),
    sslSigAlg: options.has('cert-sig'),
    sslCipher: options.has('ssl-cipher'),
  };
}

/**
 * The TLVs of one outgoing v2 header (data path and health checks), added in HAProxy's order
 * by the caller: a TLV that would take the header past MAX_OUTGOING_HEADER_BYTES is dropped,
 * as HAProxy drops what does not fit its buffer (§4.7).
 */
export class OutgoingTlvs {
  readonly list: Tlv[] = [];
  private size = V2_FIXED_AND_ADDRESS_BYTES;

  add(type: number, value: Uint8Array): void {
    if (value.length > MAX_TLV_VALUE_BYTES || this.size + TLV_HEAD_BYTES + value.length > MAX_OUTGOING_HEADER_BYTES) return;
    this.size += TLV_HEAD_BYTES + value.length;
    this.list.push({ type, value });
  }

  /** The CRC32C placeholder (the codec computes the value over the finished header). */
  addCrc32c(): void {
    this.add(PP2_TYPE.CRC32C, CRC32C_PLACEHOLDER);
  }
}

const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

/**
 * The SSL TLV's value for a client that came over TLS, as HAProxy 2.6 builds it: client =
 * SSL, plus CERT_SESS when the session holds a client certificate (and then verify = the
 * verify result) and CERT_CONN when it was sent in this handshake; sub-TLVs in HAProxy's
 * order — VERSION, CN (of the client certificate), KEY_ALG and SIG_ALG (of OUR certificate,
 * the one the handshake used: SSL_get_certificate on the frontend side), CIPHER.
 */
export function sslTlvValue(t: TlsSession, want: BuiltinTlvs): Uint8Array {
  const subs: Tlv[] = [];
  if (t.protocol !== '') subs.push({ type: PP2_SUBTYPE_SSL.VERSION, value: latin1(t.protocol) });
  const peer = t.peerCertificate;
  if (want.sslCn && peer !== null) {
    const subject = certificateParts(peer.raw)?.subject;
    const cn = subject === undefined ? undefined : dnEntry(subject, 'CN', 1);
    if (cn !== undefined && cn !== '') subs.push({ type: PP2_SUBTYPE_SSL.CN, value: latin1(cn) });
  }
  if (want.sslKeyAlg && t.certificate.keyAlg !== '') subs.push({ type: PP2_SUBTYPE_SSL.KEY_ALG, value: latin1(t.certificate.keyAlg) });
  if (want.sslSigAlg) subs.push({ type: PP2_SUBTYPE_SSL.SIG_ALG, value: latin1(t.certificate.sigAlg) });
  if (want.sslCipher && t.cipher !== '') subs.push({ type: PP2_SUBTYPE_SSL.CIPHER, value: latin1(t.cipher) });
  return sslTlv({
    clientSsl: true,
    certInSession: peer !== null,
    certInConnection: t.peerCertificateThisConnection,
    verify: peer !== null ? t.verifyResult : 0,
    subTlvs: subs,
  }).value;
}

export type HeaderBuilder = (ctx: SessionContext) => Buffer;

/** Addresses to advertise: the ones `src`/`dst` report after the header (§4.1, §4.3). */
function endpoints(ctx: SessionContext): { src: string; srcPort: number; dst: string; dstPort: number } {
  const client = ctx.client ?? ctx.realClient;
  const local = ctx.local ?? ctx.realLocal;
  return { src: client.address, srcPort: client.port, dst: local.address, dstPort: local.port };
}

/** Undefined when the server takes no PROXY header. */
export function compileOutgoingHeader(server: ServerModel): HeaderBuilder | undefined {
  if (server.sendProxy === 'none') return undefined;
  if (server.sendProxy === 'v1') {
    // §1.6: TCP4/TCP6 from the addresses; v1 carries no TLVs (set-proxy-v2-tlv-fmt and
    // proxy-v2-options are inert with send-proxy, as in HAProxy §4.6, §4.7).
    return (ctx) => encode({ version: 1, ...endpoints(ctx) });
  }
  const formats = server.tlvFormats;
  const builtin = builtinTlvs(server.proxyV2Options);
  const noTlvs = formats.length === 0 && !builtin.crc32c && !builtin.authority && !builtin.uniqueId && !builtin.ssl;
  // A TLS client may still bring the ALPN TLV; a plain one costs one null check.
  if (noTlvs) return (ctx) => (ctx.tls?.alpn == null ? encode({ version: 2, ...endpoints(ctx) }) : withTlvs(ctx));
  return withTlvs;

  function withTlvs(ctx: SessionContext): Buffer {
    const tlvs = new OutgoingTlvs();
    // Binary-safe, unlike HAProxy (§4.7, issue #3489): the rendered bytes go out as they are,
    // NUL bytes included, so forwarded vendor TLVs (Azure 0xEE, GCP 0xE0) arrive intact.
    for (const f of formats) tlvs.add(f.type, f.format.render(ctx));
    if (builtin.crc32c) tlvs.addCrc32c();
    const tls = ctx.tls;
    if (tls !== null && tls.alpn !== null) tlvs.add(PP2_TYPE.ALPN, latin1(tls.alpn));
    if (builtin.authority) {
      // The AUTHORITY received from upstream, else the client's TLS SNI; omitted when there
      // is neither (§4.6).
      const received = ctx.proxyHeader?.tlvs.find((t) => t.type === PP2_TYPE.AUTHORITY);
      if (received !== undefined) tlvs.add(PP2_TYPE.AUTHORITY, received.value);
      else if (tls !== null && tls.sni !== null) tlvs.add(PP2_TYPE.AUTHORITY, latin1(tls.sni));
    }
    if (builtin.uniqueId) {
      // From the frontend's unique-id-format; HAProxy sends a zero-length TLV without one (§4.6).
      // Capped at 128 bytes: receivers must reject a longer UNIQUE_ID (§3.2), HAProxy's own
      // unique ids stop there too.
      tlvs.add(PP2_TYPE.UNIQUE_ID, ctx.uniqueId === null ? EMPTY : Buffer.from(ctx.uniqueId, 'latin1').subarray(0, MAX_UNIQUE_ID_BYTES));
    }
    if (builtin.ssl) tlvs.add(PP2_TYPE.SSL, tls === null ? SSL_TLV_NON_TLS_CLIENT.value : sslTlvValue(tls, builtin));
    return encode({ version: 2, ...endpoints(ctx), tlvs: tlvs.list }, { crc32c: builtin.crc32c });
  }
}
