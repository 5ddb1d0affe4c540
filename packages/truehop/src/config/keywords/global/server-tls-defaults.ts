// Global defaults for TLS to servers (HAProxy src/ssl_sock.c, cfg_kws): `ssl-server-verify`,
// `ssl-default-server-ciphers`, `-ciphersuites` and `-options`. A server line's own option
// wins; config/compile-server-tls.ts applies them.
import type { Word } from '../../../text/source.js';
import { parseTlsVersion } from '../server/server-tls-keywords.js';
import { oneWordKeyword as one, type GlobalKeyword } from './global-keyword.js';

/** The `ssl-default-server-options` truehop applies; others are an alert naming them. */
const VERSION_OPTIONS = ['ssl-min-ver', 'ssl-max-ver'] as const;

export const SERVER_TLS_GLOBAL_KEYWORDS: readonly GlobalKeyword[] = [
  one('ssl-server-verify', 'none|required', "default 'verify' of servers with 'ssl' (HAProxy's default: required)", (g, v, sink) => {
    if (v.text !== 'none' && v.text !== 'required') {
      return sink.alert(v.pos, 'BAD_VALUE', `'ssl-server-verify' : expects 'none' or 'required', got '${v.text}'`);
    }
    g.serverTls.verify = v.text;
  }),
  one('ssl-default-server-ciphers', '<ciphers>', "servers' TLS 1.2 cipher list unless their line sets 'ciphers'", (g, v) => { g.serverTls.ciphers = v.text; }),
  one('ssl-default-server-ciphersuites', '<suites>', "servers' TLS 1.3 suites unless their line sets 'ciphersuites'", (g, v) => { g.serverTls.ciphersuites = v.text; }),
  {
    name: 'ssl-default-server-options',
    syntax: '[ssl-min-ver <v>] [ssl-max-ver <v>]',
    summary: "servers' protocol versions unless their line sets them; other options are not supported yet",
    status: 'supported',
    apply(g, args, kw, sink) {
      if (args.length === 0) return sink.alert(kw.pos, 'MISSING_ARGUMENT', "'ssl-default-server-options' expects options");
      for (let i = 0; i < args.length; i++) {
        const w = args[i] as Word;
        if ((VERSION_OPTIONS as readonly string[]).includes(w.text)) {
          const v = args[++i];
          if (!v) return sink.alert(w.pos, 'MISSING_ARGUMENT', `'${w.text}' expects a version`);
          const ver = parseTlsVersion(v, w.text, sink);
          if (ver === undefined) continue;
          if (w.text === 'ssl-min-ver') g.serverTls.minVer = ver;
          else g.serverTls.maxVer = ver;
        } else {
          sink.alert(w.pos, 'NOT_SUPPORTED_YET', `'ssl-default-server-options ${w.text}' is not supported by truehop yet (supported: ${VERSION_OPTIONS.join(', ')})`);
        }
      }
    },
  },
];
