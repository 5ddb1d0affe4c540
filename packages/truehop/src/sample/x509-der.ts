// The few parts of an X.509 certificate HAProxy reports that Node's X509Certificate does not
// give in OpenSSL's own form: the tbsCertificate signature algorithm (cert-sig, ssl_c_sig_alg,
// as OBJ_nid2sn names it) and the subject/issuer names entry by entry, raw (ssl_c_s_dn and
// ssl_c_i_dn print `/C=FR/CN=x` from the bytes, without RFC 2253 escaping). RFC 5280 §4.1.
// A certificate Node accepted is well-formed DER; anything unexpected here yields undefined
// rather than a throw, so a fetch gives no sample instead of failing the session.
import { Buffer } from 'node:buffer';
import type { X509Certificate } from 'node:crypto';

/** OpenSSL short names (OBJ_nid2sn) of the object identifiers certificates carry. */
const OID_SHORT_NAMES: ReadonlyMap<string, string> = new Map([
  // signature algorithms
  ['1.2.840.113549.1.1.4', 'RSA-MD5'],
  ['1.2.840.113549.1.1.5', 'RSA-SHA1'],
  ['1.2.840.113549.1.1.10', 'RSASSA-PSS'],
  ['1.2.840.113549.1.1.11', 'RSA-SHA256'],
  ['1.2.840.113549.1.1.12', 'RSA-SHA384'],
  ['1.2.840.113549.1.1.13', 'RSA-SHA512'],
  ['1.2.840.113549.1.1.14', 'RSA-SHA224'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['1.2.840.10045.4.3.1', 'ecdsa-with-SHA224'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
  ['1.3.101.112', 'ED25519'],
  ['1.3.101.113', 'ED448'],
  ['2.16.840.1.101.3.4.3.2', 'dsa_with_SHA256'],
  // name attributes
  ['2.5.4.3', 'CN'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.9', 'street'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.12', 'title'],
  ['2.5.4.17', 'postalCode'],
  ['2.5.4.41', 'name'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.43', 'initials'],
  ['2.5.4.46', 'dnQualifier'],
  ['2.5.4.65', 'pseudonym'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
]);

interface Tlv {
  readonly tag: number;
  /** Offset of the value. */
  readonly start: number;
  readonly end: number;
}

/** The DER element at `at`, or undefined past the end or with a length DER does not allow. */
function element(der: Uint8Array, at: number, limit: number): Tlv | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at] as number;
  let len = der[at + 1] as number;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // Certificates are far below 2^32 bytes; more length bytes is not a certificate.
    if (n === 0 || n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[start + i] as number);
    start += n;
  }
  const end = start + len;
  return end > limit ? undefined : { tag, start, end };
}

function oidText(der: Uint8Array, t: Tlv): string {
  const parts: number[] = [];
  let v = 0;
  for (let i = t.start; i < t.end; i++) {
    const b = der[i] as number;
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** OpenSSL's short name of an OID, or its dotted form when OpenSSL would print that (i2t_ASN1_OBJECT). */
export function oidShortName(oid: string): string {
  return OID_SHORT_NAMES.get(oid) ?? oid;
}

export interface NameEntry {
  /** Short name ('CN', 'O', …) or the dotted OID. */
  readonly name: string;
  /** The value's bytes as a byte string (latin1), as HAProxy copies them. */
  readonly value: string;
}

function readName(der: Uint8Array, seq: Tlv): NameEntry[] | undefined {
  const out: NameEntry[] = [];
  for (let at = seq.start; at < seq.end;) {
    const set = element(der, at, seq.end);
    if (!set || set.tag !== 0x31) return undefined;
    for (let inner = set.start; inner < set.end;) {
      const atv = element(der, inner, set.end);
      if (!atv || atv.tag !== 0x30) return undefined;
      const oid = element(der, atv.start, atv.end);
      if (!oid || oid.tag !== 0x06) return undefined;
      const val = element(der, oid.end, atv.end);
      if (!val) return undefined;
      out.push({ name: oidShortName(oidText(der, oid)), value: Buffer.from(der.buffer, der.byteOffset + val.start, val.end - val.start).toString('latin1') });
      inner = atv.end;
    }
    at = set.end;
  }
  return out;
}

export interface CertificateParts {
  /** tbsCertificate.signature, OpenSSL's short name (cert-sig, ssl_c_sig_alg). */
  readonly sigAlg: string;
  readonly issuer: readonly NameEntry[];
  readonly subject: readonly NameEntry[];
}

/** Reads the signature algorithm, issuer and subject of a DER certificate. */
export function certificateParts(der: Uint8Array): CertificateParts | undefined {
  const cert = element(der, 0, der.length);
  if (!cert || cert.tag !== 0x30) return undefined;
  const tbs = element(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== 0x30) return undefined;
  let at = tbs.start;
  let e = element(der, at, tbs.end);
  if (e && e.tag === 0xa0) { at = e.end; e = element(der, at, tbs.end); } // [0] version
  if (!e || e.tag !== 0x02) return undefined; // serialNumber
  const alg = element(der, e.end, tbs.end);
  if (!alg || alg.tag !== 0x30) return undefined;
  const oid = element(der, alg.start, alg.end);
  if (!oid || oid.tag !== 0x06) return undefined;
  const issuerSeq = element(der, alg.end, tbs.end);
  if (!issuerSeq || issuerSeq.tag !== 0x30) return undefined;
  const validity = element(der, issuerSeq.end, tbs.end);
  if (!validity) return undefined;
  const subjectSeq = element(der, validity.end, tbs.end);
  if (!subjectSeq || subjectSeq.tag !== 0x30) return undefined;
  const issuer = readName(der, issuerSeq);
  const subject = readName(der, subjectSeq);
  if (!issuer || !subject) return undefined;
  return { sigAlg: oidShortName(oidText(der, oid)), issuer, subject };
}

/** HAProxy's one-line DN: `/C=FR/O=Example/CN=name` (ssl_sock_get_dn_oneline). */
export function onelineDn(entries: readonly NameEntry[]): string {
  let s = '';
  for (const e of entries) s += `/${e.name}=${e.value}`;
  return s;
}

/**
 * The value of the `occ`-th entry named `name` (1 = first, -1 = last), as HAProxy's
 * ssl_sock_get_dn_entry counts them; undefined when there is none.
 */
export function dnEntry(entries: readonly NameEntry[], name: string, occ: number): string | undefined {
  let seen = 0;
  const n = entries.length;
  for (let k = 0; k < n; k++) {
    const e = entries[occ > 0 ? k : n - 1 - k] as NameEntry;
    if (e.name !== name) continue;
    if (++seen === Math.abs(occ)) return e.value;
  }
  return undefined;
}

/** EVP_PKEY_bits of the named curves certificates use. */
const CURVE_BITS: Readonly<Record<string, number>> = {
  prime256v1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224, secp256k1: 256,
  brainpoolP256r1: 256, brainpoolP384r1: 384, brainpoolP512r1: 512,
};

/**
 * HAProxy's cert-key text (cert_get_pkey_algo): 'RSA2048', 'EC256', 'DSA2048'; '' for other
 * key types, for which HAProxy sends no CERT_KEY sub-TLV.
 */
export function pkeyAlgo(cert: X509Certificate): string {
  const key = cert.publicKey;
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa': return `RSA${d.modulusLength ?? 0}`;
    case 'dsa': return `DSA${d.modulusLength ?? 0}`;
    case 'ec': return `EC${CURVE_BITS[d.namedCurve ?? ''] ?? 0}`;
    default: return '';
  }
}

const KEY_TYPE_SHORT_NAMES: Readonly<Record<string, string>> = {
  rsa: 'rsaEncryption', 'rsa-pss': 'RSASSA-PSS', dsa: 'dsaEncryption', ec: 'id-ecPublicKey', ed25519: 'ED25519', ed448: 'ED448', x25519: 'X25519', x448: 'X448',
};

/** ssl_c_key_alg: OpenSSL's short name of the public key algorithm ('rsaEncryption', 'id-ecPublicKey'). */
export function keyAlgShortName(cert: X509Certificate): string | undefined {
  const t = cert.publicKey.asymmetricKeyType;
  return t === undefined ? undefined : KEY_TYPE_SHORT_NAMES[t];
}
