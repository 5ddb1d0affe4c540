// A TLS bind's settings → its run-time model: the certificate files read (at load and at every
// reload, since workers load the configuration themselves), each PEM turned into a secure
// context, the SNI names indexed, the global ssl-default-bind-* applied where the line is
// silent. Every problem is an alert at the word that named the file; the message names the
// file and the kind of problem, never the file's contents (a private key must not reach a log).
import { constants as cryptoConstants, createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import tls from 'node:tls';
import type { DiagnosticSink } from '../../text/diagnostics.js';
import type { SourcePos, Word } from '../../text/source.js';
import type { BindTlsModel, TlsCertificate } from '../../model/tls.js';
import type { GlobalDraft } from '../draft.js';
import { TLS_VERSIONS, TLS_VERSION_ORDER, type BindTlsDraft, type TlsSettingsDraft } from '../keywords/bind/tls-options.js';
import { certificateParts, pkeyAlgo } from '../../sample/x509-der.js';

/** A PEM bigger than this is not a certificate bundle; the cap keeps a typo from reading a disk image. */
export const MAX_PEM_FILE_BYTES = 4 * 1024 * 1024;
/** HAProxy's default minimum since 2.2: TLS 1.2. */
const DEFAULT_MIN_VERSION = 'TLSv1.2';
/**
 * HAProxy leaves the cipher lists to OpenSSL's defaults; Node replaces them with its own
 * shorter list, whose TLS 1.2 order differs (AES128 before AES256), so the cipher a client
 * gets — and the SSL TLV's cipher sub-TLV — would differ from HAProxy's for the same client.
 * OpenSSL's defaults give the same choice as HAProxy.
 */
const OPENSSL_DEFAULT_CIPHERS = 'DEFAULT';
const OPENSSL_DEFAULT_CIPHERSUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
/** Files of a crt directory HAProxy does not load as certificates (they sit beside one). */
const SIDE_FILE_SUFFIXES = ['.key', '.ocsp', '.issuer', '.sctl', '.dh'];

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

interface PemBlocks {
  certs: string[];
  key: string | undefined;
}

function pemBlocks(text: string): PemBlocks {
  const out: PemBlocks = { certs: [], key: undefined };
  for (const m of text.matchAll(PEM_BLOCK)) {
    const label = m[1] as string;
    if (label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE') out.certs.push(m[0]);
    else if (label.endsWith('PRIVATE KEY') && out.key === undefined) out.key = m[0];
  }
  return out;
}

/** Where a relative path is looked for: the base directory when set, else the config file's folder. */
function resolvePath(path: string, base: string | undefined, pos: SourcePos): string {
  if (isAbsolute(path)) return path;
  return base !== undefined ? resolve(dirname(pos.file), base, path) : resolve(dirname(pos.file), path);
}

function readSmallFile(full: string, word: Word, what: string, sink: DiagnosticSink): Buffer | undefined {
  try {
    const st = statSync(full);
    if (st.size > MAX_PEM_FILE_BYTES) {
      sink.alert(word.pos, 'FILE_TOO_LARGE', `${what} '${full}' is larger than ${MAX_PEM_FILE_BYTES} bytes`);
      return undefined;
    }
    return readFileSync(full);
  } catch (err) {
    sink.alert(word.pos, 'FILE_UNREADABLE', `cannot read ${what} '${full}': ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    return undefined;
  }
}

/** The settings of a bind: its own line first, then ssl-default-bind-*, then HAProxy's defaults. */
function effectiveSettings(line: TlsSettingsDraft, defaults: TlsSettingsDraft): TlsSettingsDraft {
  return { ...defaults, ...Object.fromEntries(Object.entries(line).filter(([, v]) => v !== undefined)) };
}

interface ContextOptions {
  readonly base: tls.SecureContextOptions;
  readonly secureOptions: number;
  readonly verify: boolean;
}

function contextOptions(settings: TlsSettingsDraft, ca: Buffer | undefined, crl: Buffer | undefined, verify: boolean): ContextOptions {
  const ciphers = settings.ciphers ?? OPENSSL_DEFAULT_CIPHERS;
  const suites = settings.ciphersuites ?? OPENSSL_DEFAULT_CIPHERSUITES;
  const base: tls.SecureContextOptions = {
    // Node takes both lists in one string and sorts TLS_* names into the TLS 1.3 suites.
    ciphers: `${suites}:${ciphers}`,
    minVersion: TLS_VERSIONS[settings.minVer ?? DEFAULT_MIN_VERSION],
    maxVersion: TLS_VERSIONS[settings.maxVer ?? 'TLSv1.3'],
    // HAProxy sets SSL_OP_CIPHER_SERVER_PREFERENCE unless prefer-client-ciphers.
    honorCipherOrder: settings.preferClientCiphers !== true,
  };
  if (settings.curves !== undefined) base.ecdhCurve = settings.curves;
  if (ca !== undefined) base.ca = ca;
  if (crl !== undefined) base.crl = crl;
  // Renegotiation is refused outright (HAProxy closes on any client-initiated one):
  // it costs the server a full handshake per request of the client (CVE-2011-1473).
  let secureOptions = cryptoConstants.SSL_OP_NO_RENEGOTIATION;
  if (settings.noTlsTickets === true) secureOptions |= cryptoConstants.SSL_OP_NO_TICKET;
  return { base, secureOptions, verify };
}

interface LoadedCert {
  readonly cert: TlsCertificate;
  readonly names: string[];
}

/** One PEM file → its certificate (context and SSL TLV strings) and the names it answers for. */
function loadPem(full: string, word: Word, opts: ContextOptions, sink: DiagnosticSink): LoadedCert | undefined {
  const buf = readSmallFile(full, word, 'certificate file', sink);
  if (buf === undefined) return undefined;
  const blocks = pemBlocks(buf.toString('latin1'));
  if (blocks.certs.length === 0) {
    sink.alert(word.pos, 'BAD_CERTIFICATE', `'${full}' holds no PEM certificate`);
    return undefined;
  }
  let key = blocks.key;
  if (key === undefined) {
    // As HAProxy: a key not in the PEM is looked for in '<file>.key' beside it.
    const keyBuf = readSmallFile(`${full}.key`, word, 'key file (no private key in the certificate file)', sink);
    if (keyBuf === undefined) return undefined;
    key = pemBlocks(keyBuf.toString('latin1')).key;
    if (key === undefined) {
      sink.alert(word.pos, 'BAD_CERTIFICATE', `no private key in '${full}' nor in '${full}.key'`);
      return undefined;
    }
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(blocks.certs[0] as string);
  } catch {
    sink.alert(word.pos, 'BAD_CERTIFICATE', `the first certificate of '${full}' cannot be parsed`);
    return undefined;
  }
  try {
    // Only the outcome is reported: an error text could quote key material.
    if (!x509.checkPrivateKey(createPrivateKey(key))) {
      sink.alert(word.pos, 'BAD_CERTIFICATE', `the private key in '${full}' does not match its certificate`);
      return undefined;
    }
  } catch {
    sink.alert(word.pos, 'BAD_CERTIFICATE', `the private key in '${full}' cannot be parsed (encrypted keys are not supported)`);
    return undefined;
  }
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext({ ...opts.base, cert: blocks.certs.join('\n'), key, secureOptions: opts.secureOptions });
  } catch (err) {
    // OpenSSL's reason (e.g. 'no cipher match'); these never carry key bytes.
    const reason = (err as { reason?: string; code?: string }).reason ?? (err as { code?: string }).code ?? 'error';
    sink.alert(word.pos, 'BAD_CERTIFICATE', `cannot build a TLS context from '${full}' and the bind's settings: ${reason}`);
    return undefined;
  }
  if (opts.verify) setSessionIdContext(context);
  const parts = certificateParts(x509.raw);
  const names: string[] = [];
  for (const san of (x509.subjectAltName ?? '').split(', ')) {
    if (san.startsWith('DNS:')) names.push(san.slice(4).toLowerCase());
  }
  for (const e of parts?.subject ?? []) if (e.name === 'CN') names.push(e.value.toLowerCase());
  return { cert: Object.freeze({ context, file: full, keyAlg: pkeyAlgo(x509), sigAlg: parts?.sigAlg ?? 'UNDEF' }), names };
}

/**
 * OpenSSL refuses to resume a session whose client certificate was verified unless the
 * context has a session id context; tls.Server sets one, a bare SecureContext does not.
 */
function setSessionIdContext(context: tls.SecureContext): void {
  const native = (context as unknown as { context?: { setSessionIdContext?: (id: string) => void } }).context;
  native?.setSessionIdContext?.('truehop');
}

/** The PEM files a crt word names: the file, or the certificate files of a directory, sorted. */
function crtFiles(full: string, word: Word, sink: DiagnosticSink): string[] {
  try {
    if (!statSync(full).isDirectory()) return [full];
    return readdirSync(full)
      .filter((n) => !n.startsWith('.') && !SIDE_FILE_SUFFIXES.some((s) => n.endsWith(s)))
      .sort()
      .map((n) => join(full, n))
      .filter((f) => statSync(f).isFile());
  } catch (err) {
    sink.alert(word.pos, 'FILE_UNREADABLE', `cannot read certificate '${full}': ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    return [];
  }
}

/** Builds the TLS model of an `ssl` bind, or undefined after alerting. */
export function compileBindTls(draft: BindTlsDraft, global: GlobalDraft, sink: DiagnosticSink): BindTlsModel | undefined {
  const sslWord = draft.ssl as Word;
  if (draft.crts.length === 0) {
    sink.alert(sslWord.pos, 'MISSING_ARGUMENT', "'ssl' on a bind line needs at least one 'crt' (certificate file or directory)");
    return undefined;
  }
  const settings = effectiveSettings(draft, global.sslDefaultBind);
  const min = TLS_VERSION_ORDER.indexOf(settings.minVer ?? DEFAULT_MIN_VERSION);
  const max = TLS_VERSION_ORDER.indexOf(settings.maxVer ?? 'TLSv1.3');
  if (min > max) {
    sink.alert(sslWord.pos, 'BAD_VALUE', `ssl-min-ver ${settings.minVer ?? DEFAULT_MIN_VERSION} is above ssl-max-ver ${settings.maxVer ?? 'TLSv1.3'}: every version is disabled`);
    return undefined;
  }
  const verify = draft.verify ?? 'none';
  let ca: Buffer | undefined;
  let crl: Buffer | undefined;
  if (verify !== 'none') {
    if (draft.caFile === undefined) {
      sink.alert(sslWord.pos, 'MISSING_ARGUMENT', `'verify ${verify}' needs a 'ca-file' to verify client certificates with`);
      return undefined;
    }
    ca = readSmallFile(resolvePath(draft.caFile.text, global.caBase, draft.caFile.pos), draft.caFile, 'CA file', sink);
    if (ca === undefined) return undefined;
    if (draft.crlFile !== undefined) {
      crl = readSmallFile(resolvePath(draft.crlFile.text, global.caBase, draft.crlFile.pos), draft.crlFile, 'CRL file', sink);
      if (crl === undefined) return undefined;
    }
  }
  const opts = contextOptions(settings, ca, crl, verify !== 'none');
  const loaded: LoadedCert[] = [];
  let failed = false;
  for (const word of draft.crts) {
    const files = crtFiles(resolvePath(word.text, global.crtBase, word.pos), word, sink);
    if (files.length === 0) failed = true;
    for (const f of files) {
      const l = loadPem(f, word, opts, sink);
      if (l === undefined) failed = true;
      else loaded.push(l);
    }
  }
  if (failed || loaded.length === 0) return undefined;
  const byName = new Map<string, TlsCertificate>();
  const byWildcard = new Map<string, TlsCertificate>();
  for (const { cert, names } of loaded) {
    for (const n of names) {
      const [map, key] = n.startsWith('*.') ? [byWildcard, n.slice(1)] : [byName, n];
      if (!map.has(key)) map.set(key, cert);
    }
  }
  const defaultCertificate = (loaded[0] as LoadedCert).cert;
  let handshakeContext = defaultCertificate.context;
  if (draft.strictSni) {
    try {
      handshakeContext = tls.createSecureContext({ ...opts.base, secureOptions: opts.secureOptions });
    } catch {
      return undefined; // the same settings just built every certificate's context
    }
    if (opts.verify) setSessionIdContext(handshakeContext);
  }
  const model: BindTlsModel = {
    defaultCertificate,
    handshakeContext,
    byName,
    byWildcard,
    strictSni: draft.strictSni,
    verify,
    alpn: draft.alpn === undefined ? undefined : Object.freeze([...draft.alpn]),
  };
  return Object.freeze(model);
}
