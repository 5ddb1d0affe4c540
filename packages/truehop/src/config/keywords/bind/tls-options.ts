// The TLS options of a `bind` line (HAProxy src/cfgparse-ssl.c bind_kws): they only record
// what the line says, with the word of each file so a missing or broken file is reported at
// its place. config/tls/bind-tls.ts merges them with the global ssl-default-bind-* settings
// and builds the contexts.
import { Buffer } from 'node:buffer';
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { SourcePos, Word } from '../../../text/source.js';
import type { OptionKeywordDoc } from '../keyword.js';

/** HAProxy's version names (ssl-min-ver/ssl-max-ver) and Node's for the same protocol. */
export const TLS_VERSIONS = { 'TLSv1.0': 'TLSv1', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' } as const;
export type TlsVersionName = keyof typeof TLS_VERSIONS;
export const TLS_VERSION_ORDER: readonly TlsVersionName[] = ['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The TLS settings one bind line or `ssl-default-bind-*` states; unset fields fall back. */
export interface TlsSettingsDraft {
  minVer?: TlsVersionName;
  maxVer?: TlsVersionName;
  ciphers?: string;
  ciphersuites?: string;
  curves?: string;
  preferClientCiphers?: boolean;
  noTlsTickets?: boolean;
}

export interface BindTlsDraft extends TlsSettingsDraft {
  /** `ssl` appeared (its word): without it, crt & co. have no effect. */
  ssl: Word | undefined;
  /** `crt` words: a PEM file or a directory of them. */
  crts: Word[];
  caFile?: Word;
  crlFile?: Word;
  verify?: 'none' | 'optional' | 'required';
  alpn?: string[];
  strictSni: boolean;
}

export function newBindTlsDraft(): BindTlsDraft {
  return { ssl: undefined, crts: [], strictSni: false };
}

export interface TlsBindKeyword extends OptionKeywordDoc {
  apply(tls: BindTlsDraft, args: readonly Word[], kw: Word, sink: DiagnosticSink): void;
}

function needArg(args: readonly Word[], kw: Word, sink: DiagnosticSink, what: string): Word | undefined {
  const v = args[0];
  if (!v || v.text === '') {
    sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${kw.text}' expects ${what}`);
    return undefined;
  }
  return v;
}

/** `ssl-min-ver TLSv1.2`; SSLv3 is refused (Node's OpenSSL has no SSLv3). */
export function parseTlsVersion(v: Word, sink: DiagnosticSink, pos: SourcePos = v.pos): TlsVersionName | undefined {
  if (v.text in TLS_VERSIONS) return v.text as TlsVersionName;
  if (v.text === 'SSLv3') {
    sink.alert(pos, 'NOT_SUPPORTED_YET', "'SSLv3' is not supported by truehop (Node's OpenSSL has no SSLv3)");
    return undefined;
  }
  sink.alert(pos, 'BAD_VALUE', `'${v.text}' is not a TLS version (TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3)`);
  return undefined;
}

function textOption(name: string, field: 'ciphers' | 'ciphersuites' | 'curves', syntax: string, summary: string): TlsBindKeyword {
  return {
    name, syntax, summary, status: 'supported', args: 1,
    apply(t, args, kw, sink) {
      const v = needArg(args, kw, sink, syntax);
      if (v) t[field] = v.text;
    },
  };
}

function versionOption(name: string, field: 'minVer' | 'maxVer', summary: string): TlsBindKeyword {
  return {
    name, syntax: 'TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3', summary, status: 'supported', args: 1,
    apply(t, args, kw, sink) {
      const v = needArg(args, kw, sink, 'a TLS version');
      const ver = v && parseTlsVersion(v, sink);
      if (ver) t[field] = ver;
    },
  };
}

function fileOption(name: 'ca-file' | 'crl-file', summary: string): TlsBindKeyword {
  return {
    name, syntax: '<file>', summary, status: 'supported', args: 1,
    apply(t, args, kw, sink) {
      const v = needArg(args, kw, sink, 'a file name');
      if (!v) return;
      if (name === 'ca-file') t.caFile = v;
      else t.crlFile = v;
    },
  };
}

export const TLS_BIND_KEYWORDS: readonly TlsBindKeyword[] = [
  {
    name: 'ssl', syntax: '', status: 'supported', args: 0,
    summary: 'terminate TLS on this listener (after the PROXY header when accept-proxy is set); needs crt',
    apply: (t, _a, kw) => { t.ssl = kw; },
  },
  {
    name: 'crt', syntax: '<file|dir>', status: 'supported', args: 1,
    summary: 'PEM with certificate, chain and key (or a directory of them); several crt: chosen by SNI, the first is the default',
    apply(t, args, kw, sink) {
      const v = needArg(args, kw, sink, 'a certificate file or directory');
      if (v) t.crts.push(v);
    },
  },
  fileOption('ca-file', 'CAs that verify client certificates (with verify optional|required)'),
  fileOption('crl-file', 'certificate revocation list checked against client certificates'),
  {
    name: 'verify', syntax: 'none|optional|required', status: 'supported', args: 1,
    summary: 'client certificates: not asked (none, default), checked when sent (optional), or mandatory (required)',
    apply(t, args, kw, sink) {
      const v = needArg(args, kw, sink, 'none, optional or required');
      if (!v) return;
      if (v.text === 'none' || v.text === 'optional' || v.text === 'required') t.verify = v.text;
      else sink.alert(v.pos, 'BAD_VALUE', `'verify' expects none, optional or required, not '${v.text}'`);
    },
  },
  {
    name: 'alpn', syntax: '<proto>[,<proto>…]', status: 'supported', args: 1,
    summary: 'ALPN protocols offered, in preference order (e.g. h2,http/1.1)',
    apply(t, args, kw, sink) {
      const v = needArg(args, kw, sink, 'a comma-separated protocol list');
      if (!v) return;
      const list = v.text.split(',');
      // An ALPN protocol name is 1..255 bytes (RFC 7301 §3.1).
      if (list.some((p) => p.length === 0 || Buffer.byteLength(p) > 255)) {
        return sink.alert(v.pos, 'BAD_VALUE', `'alpn': every protocol name is 1 to 255 bytes ('${v.text}')`);
      }
      t.alpn = list;
    },
  },
  versionOption('ssl-min-ver', 'minVer', 'lowest protocol version accepted (default TLSv1.2, as HAProxy)'),
  versionOption('ssl-max-ver', 'maxVer', 'highest protocol version accepted (default TLSv1.3)'),
  textOption('ciphers', 'ciphers', '<list>', 'TLSv1.2 and older cipher list (OpenSSL syntax)'),
  textOption('ciphersuites', 'ciphersuites', '<list>', 'TLSv1.3 cipher suites (OpenSSL syntax)'),
  textOption('curves', 'curves', '<list>', 'key exchange groups, e.g. X25519:P-256'),
  {
    name: 'strict-sni', syntax: '', status: 'supported', args: 0,
    summary: 'refuse the handshake when the client sends no SNI or one no certificate matches',
    apply: (t) => { t.strictSni = true; },
  },
  {
    name: 'prefer-client-ciphers', syntax: '', status: 'supported', args: 0,
    summary: "use the client's cipher preference instead of ours",
    apply: (t) => { t.preferClientCiphers = true; },
  },
  {
    name: 'no-tls-tickets', syntax: '', status: 'supported', args: 0,
    summary: 'no TLS session tickets (stateless resumption)',
    apply: (t) => { t.noTlsTickets = true; },
  },
];
