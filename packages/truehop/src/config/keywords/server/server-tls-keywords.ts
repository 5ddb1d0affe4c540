// The TLS options of `server` / `default-server` lines (HAProxy src/ssl_sock.c srv_kws):
// re-encrypting to TLS servers and TLS health checks. They only record what was written;
// config/compile-server-tls.ts reads the files and builds the TLS context at load time.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { Word } from '../../../text/source.js';
import { suggestion } from '../../../text/did-you-mean.js';
import type { TlsVersionName } from '../../draft.js';
import { flag, valueOption, type ServerKeyword } from './server-keyword.js';

export const TLS_VERSION_NAMES: readonly TlsVersionName[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** A version word of ssl-min-ver/ssl-max-ver, or undefined after an alert. */
export function parseTlsVersion(v: Word, kw: string, sink: DiagnosticSink): TlsVersionName | undefined {
  if ((TLS_VERSION_NAMES as readonly string[]).includes(v.text)) return v.text as TlsVersionName;
  sink.alert(v.pos, 'BAD_VALUE', `'${kw}' : unknown version '${v.text}' (${TLS_VERSION_NAMES.join(', ')})${suggestion(v.text, TLS_VERSION_NAMES)}`);
  return undefined;
}

export const SERVER_TLS_KEYWORDS: readonly ServerKeyword[] = [
  flag('ssl', 'connect to the server over TLS (a PROXY header, if any, goes first, in clear); checks too unless addr/port', (s, kw) => { s.tls.ssl = kw.pos; }),
  flag('no-ssl', "undo 'ssl' (e.g. from default-server)", (s) => { s.tls.ssl = undefined; }),
  valueOption('verify', 'none|required', "verify the server's certificate (default: global ssl-server-verify, itself 'required')", (s, v, _kw, sink) => {
    if (v.text !== 'none' && v.text !== 'required') {
      return sink.alert(v.pos, 'BAD_VALUE', `'verify' : unknown verify method '${v.text}', only 'none' and 'required' are supported`);
    }
    s.tls.verify = { value: v.text, pos: v.pos };
  }),
  valueOption('verifyhost', '<hostname>', 'name the server certificate must carry (default: the SNI sent, if any)', (s, v) => { s.tls.verifyhost = v.text; }),
  valueOption('ca-file', '<file>', "PEM file of the CAs that verify the server's certificate (read at load)", (s, v) => { s.tls.caFile = v; }),
  valueOption('crt', '<pem>', 'client certificate and its key, in one PEM file (read at load)', (s, v) => { s.tls.crt = v; }),
  valueOption('sni', '<expression>', 'sample expression whose value is sent as SNI, e.g. str(example.com), req.ssl_sni', (s, v) => { s.tls.sni = v; }),
  valueOption('alpn', '<protocol>[,<protocol>…]', 'ALPN protocols offered to the server', (s, v, kw, sink) => {
    const list = v.text.split(',');
    if (list.some((p) => p === '' || p.length > 255)) return sink.alert(v.pos, 'BAD_VALUE', `'${kw.text}' : protocol names must be 1 to 255 bytes long`);
    s.tls.alpn = list;
  }),
  valueOption('ciphers', '<ciphers>', 'TLS 1.2 and older cipher list (OpenSSL syntax)', (s, v) => { s.tls.ciphers = v.text; }),
  valueOption('ciphersuites', '<suites>', 'TLS 1.3 cipher suites (OpenSSL syntax)', (s, v) => { s.tls.ciphersuites = v.text; }),
  valueOption('ssl-min-ver', 'SSLv3|TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3', 'lowest protocol version offered (default TLSv1.2)', (s, v, kw, sink) => {
    const ver = parseTlsVersion(v, kw.text, sink);
    if (ver !== undefined) s.tls.minVer = ver;
  }),
  valueOption('ssl-max-ver', 'SSLv3|TLSv1.0|TLSv1.1|TLSv1.2|TLSv1.3', 'highest protocol version offered', (s, v, kw, sink) => {
    const ver = parseTlsVersion(v, kw.text, sink);
    if (ver !== undefined) s.tls.maxVer = ver;
  }),
  flag('check-ssl', "health checks over TLS, with the server's TLS settings", (s) => { s.tls.checkSsl = true; }),
  flag('no-check-ssl', "undo 'check-ssl'", (s) => { s.tls.checkSsl = false; }),
  valueOption('check-sni', '<name>', 'SNI sent by TLS health checks', (s, v) => { s.tls.checkSni = v.text; }),
  flag('ssl-reuse', 'resume the TLS session of the last connection to this server (the default)', (s) => { s.tls.reuse = true; }),
  flag('no-ssl-reuse', 'a full TLS handshake for every connection to this server', (s) => { s.tls.reuse = false; }),
];
