// Fetches of the client's TLS session on an `ssl` bind (HAProxy src/ssl_sample.c): the
// negotiated protocol, cipher, SNI and ALPN (ssl_fc_*) and the client certificate (ssl_c_*).
// They exist once the handshake completed, i.e. from `tcp-request session` on; on a plain
// connection ssl_fc is false and the others give no sample, as HAProxy's.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { SessionContext, TlsSession } from '../../model/session.js';
import { registerFetches, simpleFetch } from '../keyword.js';
import type { ArgValue, CompileSite, FetchImpl } from '../keyword.js';
import type { Sample } from '../types.js';
import { certificateParts, dnEntry, keyAlgShortName, onelineDn, type NameEntry } from '../x509-der.js';

const PHASE_REASON = "the TLS handshake completes after the 'tcp-request connection' rules; use 'tcp-request session' or 'content'";

function str(value: string | null | undefined): Sample | undefined {
  return value === null || value === undefined ? undefined : { type: 'str', value };
}

/** A fetch over the TLS session, no sample on a plain connection. */
function tlsFetch(fn: (t: TlsSession) => Sample | undefined): () => FetchImpl {
  return simpleFetch((ctx: SessionContext) => (ctx.tls === null ? undefined : fn(ctx.tls)));
}

/** A fetch over the client certificate, no sample without one. */
function peerFetch(fn: (t: TlsSession & { peerCertificate: NonNullable<TlsSession['peerCertificate']> }) => Sample | undefined): () => FetchImpl {
  return tlsFetch((t) => (t.peerCertificate === null ? undefined : fn(t as TlsSession & { peerCertificate: NonNullable<TlsSession['peerCertificate']> })));
}

/** ssl_c_s_dn / ssl_c_i_dn: the whole DN (`/C=FR/CN=x`), or one entry's value (occurrence 1 = first, -1 = last). */
function dnFetch(pick: 'subject' | 'issuer') {
  return (args: readonly ArgValue[], site: CompileSite): FetchImpl | undefined => {
    const a0 = args[0];
    const a1 = args[1];
    const entry = a0?.kind === 'str' && a0.value !== '' ? a0.value : undefined;
    const occ = a1?.kind === 'int' ? a1.value : 1;
    if (args[2] !== undefined && args[2].kind !== 'none') {
      site.error("the <format> argument (rfc2253) is not supported by truehop yet");
      return undefined;
    }
    if (occ === 0) {
      site.error('the occurrence must not be 0 (1 = first, -1 = last)');
      return undefined;
    }
    const render = (names: readonly NameEntry[]): Sample | undefined => {
      if (entry === undefined) return names.length === 0 ? undefined : { type: 'str', value: onelineDn(names) };
      return str(dnEntry(names, entry, occ));
    };
    return peerFetch((t) => {
      const parts = certificateParts(t.peerCertificate.raw);
      return parts === undefined ? undefined : render(parts[pick]);
    })();
  };
}

/** The certificate serial as HAProxy sends it: the INTEGER's magnitude bytes. */
function serialBytes(hex: string): Buffer {
  return Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
}

const DN_ARGS = [
  { name: 'entry', kind: 'str', optional: true },
  { name: 'occ', kind: 'int', optional: true },
  { name: 'format', kind: 'str', optional: true },
] as const;

registerFetches([
  {
    name: 'ssl_fc', syntax: 'ssl_fc', output: 'bool', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: 'true when the client connection is TLS (an ssl bind)',
    compile: simpleFetch((ctx) => ({ type: 'bool', value: ctx.tls !== null })),
  },
  {
    name: 'ssl_fc_sni', syntax: 'ssl_fc_sni', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: 'the server name the client sent (SNI); no sample without one',
    compile: tlsFetch((t) => str(t.sni)),
  },
  {
    name: 'ssl_fc_protocol', syntax: 'ssl_fc_protocol', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: "the negotiated protocol version, e.g. 'TLSv1.3'",
    compile: tlsFetch((t) => str(t.protocol)),
  },
  {
    name: 'ssl_fc_cipher', syntax: 'ssl_fc_cipher', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: "the negotiated cipher, OpenSSL's name (e.g. 'TLS_AES_256_GCM_SHA384')",
    compile: tlsFetch((t) => str(t.cipher)),
  },
  {
    name: 'ssl_fc_alpn', syntax: 'ssl_fc_alpn', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: 'the ALPN protocol negotiated (bind alpn); no sample without one',
    compile: tlsFetch((t) => str(t.alpn)),
  },
  {
    name: 'ssl_fc_has_crt', syntax: 'ssl_fc_has_crt', output: 'bool', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: 'true when the client sent a certificate in this handshake (not a resumed session)',
    compile: tlsFetch((t) => ({ type: 'bool', value: t.peerCertificateThisConnection })),
  },
  {
    name: 'ssl_c_used', syntax: 'ssl_c_used', output: 'bool', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: 'true when the TLS session holds a client certificate (sent now or in the resumed session)',
    compile: tlsFetch((t) => ({ type: 'bool', value: t.peerCertificate !== null })),
  },
  {
    name: 'ssl_c_verify', syntax: 'ssl_c_verify', output: 'int', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: "the client certificate's verify result (0 = ok; a failed one never gets this far)",
    compile: tlsFetch((t) => ({ type: 'int', value: t.verifyResult })),
  },
  {
    name: 'ssl_c_s_dn', syntax: 'ssl_c_s_dn([<entry>[,<occ>]])', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: DN_ARGS,
    summary: "the client certificate's subject, '/C=FR/O=x/CN=y', or the value of one entry (occurrence 1 = first, -1 = last)",
    compile: dnFetch('subject'),
  },
  {
    name: 'ssl_c_i_dn', syntax: 'ssl_c_i_dn([<entry>[,<occ>]])', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: DN_ARGS,
    summary: "the client certificate's issuer, like ssl_c_s_dn",
    compile: dnFetch('issuer'),
  },
  {
    name: 'ssl_c_serial', syntax: 'ssl_c_serial', output: 'bin', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: "the client certificate's serial number, binary",
    compile: peerFetch((t) => ({ type: 'bin', value: serialBytes(t.peerCertificate.serialNumber) })),
  },
  {
    name: 'ssl_c_sha1', syntax: 'ssl_c_sha1', output: 'bin', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: "SHA-1 of the client certificate's DER, binary",
    compile: peerFetch((t) => ({ type: 'bin', value: createHash('sha1').update(t.peerCertificate.raw).digest() })),
  },
  {
    name: 'ssl_c_sig_alg', syntax: 'ssl_c_sig_alg', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: "the client certificate's signature algorithm, OpenSSL's short name (e.g. 'ecdsa-with-SHA256')",
    compile: peerFetch((t) => str(certificateParts(t.peerCertificate.raw)?.sigAlg)),
  },
  {
    name: 'ssl_c_key_alg', syntax: 'ssl_c_key_alg', output: 'str', earliestPhase: 'session', phaseReason: PHASE_REASON, args: [],
    summary: "the client certificate's public key algorithm, OpenSSL's short name (e.g. 'id-ecPublicKey')",
    compile: peerFetch((t) => str(keyAlgShortName(t.peerCertificate))),
  },
]);
