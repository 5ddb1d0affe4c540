// Global TLS defaults for binds (HAProxy `ssl-default-bind-*`, `crt-base`, `ca-base`): stored
// in the global draft; config/tls/bind-tls.ts applies them to every `ssl` bind whose line does
// not say otherwise, as HAProxy copies them into each bind_conf.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import type { GlobalDraft } from '../../draft.js';
import type { KeywordDoc } from '../keyword.js';
import { parseTlsVersion } from '../bind/tls-options.js';

export interface SslGlobalKeyword extends KeywordDoc {
  apply(global: GlobalDraft, args: readonly Word[], kw: Word, sink: DiagnosticSink): void;
}

function oneArg(args: readonly Word[], kw: Word, sink: DiagnosticSink): Word | undefined {
  const v = args[0];
  if (!v || v.text === '') {
    sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${kw.text}' expects an argument`);
    return undefined;
  }
  const e = args[1];
  if (e) sink.alert(e.pos, 'EXTRA_ARGUMENT', `'${kw.text}' cannot handle unexpected argument '${e.text}'`);
  return v;
}

function textDefault(name: string, field: 'ciphers' | 'ciphersuites' | 'curves', summary: string): SslGlobalKeyword {
  return {
    name, syntax: '<list>', summary, status: 'supported',
    apply(g, args, kw, sink) {
      const v = oneArg(args, kw, sink);
      if (v) g.sslDefaultBind[field] = v.text;
    },
  };
}

function baseDir(name: 'crt-base' | 'ca-base', summary: string): SslGlobalKeyword {
  return {
    name, syntax: '<dir>', summary, status: 'supported',
    apply(g, args, kw, sink) {
      const v = oneArg(args, kw, sink);
      if (!v) return;
      if (name === 'crt-base') g.crtBase = v.text;
      else g.caBase = v.text;
    },
  };
}

export const SSL_BIND_DEFAULT_KEYWORDS: readonly SslGlobalKeyword[] = [
  textDefault('ssl-default-bind-ciphers', 'ciphers', "default 'ciphers' of ssl binds (TLSv1.2 and older)"),
  textDefault('ssl-default-bind-ciphersuites', 'ciphersuites', "default 'ciphersuites' of ssl binds (TLSv1.3)"),
  textDefault('ssl-default-bind-curves', 'curves', "default 'curves' of ssl binds"),
  {
    name: 'ssl-default-bind-options', syntax: '<option>…', status: 'supported',
    summary: 'default options of ssl binds: ssl-min-ver <v>, ssl-max-ver <v>, no-tls-tickets, prefer-client-ciphers, no-sslv3, no-tlsv10, no-tlsv11',
    apply(g, args, kw, sink) {
      if (!args[0]) return sink.alert(kw.pos, 'MISSING_ARGUMENT', `'${kw.text}' expects an argument`);
      const d = g.sslDefaultBind;
      for (let i = 0; i < args.length; i++) {
        const w = args[i] as Word;
        switch (w.text) {
          case 'ssl-min-ver':
          case 'ssl-max-ver': {
            const v = args[++i];
            if (!v) return sink.alert(w.pos, 'MISSING_ARGUMENT', `'${w.text}' expects a TLS version`);
            const ver = parseTlsVersion(v, sink);
            if (ver && w.text === 'ssl-min-ver') d.minVer = ver;
            else if (ver) d.maxVer = ver;
            break;
          }
          case 'no-tls-tickets': d.noTlsTickets = true; break;
          case 'prefer-client-ciphers': d.preferClientCiphers = true; break;
          // Node's OpenSSL has no SSLv3, and TLS 1.2 is already the minimum unless lowered:
          // these only keep the floor where it is (a later ssl-min-ver still decides).
          case 'no-sslv3': break;
          case 'no-tlsv10': if (d.minVer === undefined || d.minVer === 'TLSv1.0') d.minVer = 'TLSv1.1'; break;
          case 'no-tlsv11': if (d.minVer === undefined || d.minVer === 'TLSv1.0' || d.minVer === 'TLSv1.1') d.minVer = 'TLSv1.2'; break;
          default:
            sink.alert(w.pos, 'NOT_SUPPORTED_YET', `'${kw.text}' option '${w.text}' is not supported by truehop yet`);
        }
      }
    },
  },
  baseDir('crt-base', 'directory relative crt paths are read from'),
  baseDir('ca-base', 'directory relative ca-file and crl-file paths are read from'),
];
