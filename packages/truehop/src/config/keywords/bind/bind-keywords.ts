// `bind <address>[,<address>…] [options…]`: the bind option registry (HAProxy src/listener.c
// bind_kws, and the per-protocol tables) and the line parser. TLS options (`ssl`, `crt`, …)
// live in tls-options.ts; the rest of HAProxy's options are reported as not supported yet.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { SourcePos, Word } from '../../../text/source.js';
import type { OptionKeywordDoc } from '../keyword.js';
import { notYetSupported } from '../keyword.js';
import { HAPROXY_BIND_OPTIONS } from '../../../text/haproxy-names.js';
import { parseBindAddress } from '../address.js';
import { suggestion } from '../../../text/did-you-mean.js';
import type { BindDraft } from '../../draft.js';
import { newBindTlsDraft, TLS_BIND_KEYWORDS, type BindTlsDraft } from './tls-options.js';

export interface BindOptions {
  acceptProxy: boolean;
  name: string | undefined;
  v4v6: boolean;
  v6only: boolean;
  tls: BindTlsDraft;
}

export interface BindKeyword extends OptionKeywordDoc {
  apply(opts: BindOptions, args: readonly Word[], kw: Word, sink: DiagnosticSink): void;
}

const SUPPORTED: readonly BindKeyword[] = [
  {
    name: 'accept-proxy',
    syntax: '',
    summary: 'every connection must start with a PROXY header, v1 or v2 auto-detected (§4.1); without one it is closed',
    status: 'supported',
    args: 0,
    apply: (o) => { o.acceptProxy = true; },
  },
  {
    name: 'name',
    syntax: '<name>',
    summary: 'name of the listener, for logs and statistics',
    status: 'supported',
    args: 1,
    apply(o, args, kw, sink) {
      const v = args[0];
      if (!v || v.text === '') return sink.alert(kw.pos, 'MISSING_ARGUMENT', "'name' expects a listener name");
      o.name = v.text;
    },
  },
  {
    name: 'v4v6',
    syntax: '',
    summary: 'on an IPv6 wildcard address, accept IPv4 connections too',
    status: 'supported',
    args: 0,
    apply: (o) => { o.v4v6 = true; },
  },
  {
    name: 'v6only',
    syntax: '',
    summary: 'on an IPv6 address, accept IPv6 connections only',
    status: 'supported',
    args: 0,
    apply: (o) => { o.v6only = true; },
  },
];

/** Real HAProxy bind options truehop does not implement yet (name, argument count). */
const NOT_YET: readonly BindKeyword[] = ([
  ['crt-list', 1],
  ['npn', 1], ['ecdhe', 1], ['sigalgs', 1],
  ['client-sigalgs', 1], ['no-sslv3', 0],
  ['no-tlsv10', 0], ['no-tlsv11', 0], ['no-tlsv12', 0], ['no-tlsv13', 0], ['force-tlsv12', 0],
  ['force-tlsv13', 0], ['generate-certificates', 0], ['allow-0rtt', 0], ['ca-sign-file', 1],
  ['ca-sign-pass', 1], ['ca-verify-file', 1], ['ca-ignore-err', 1], ['crt-ignore-err', 1],
  ['no-ca-names', 0], ['transparent', 0],
  ['interface', 1], ['backlog', 1], ['maxconn', 1], ['mode', 1], ['uid', 1], ['gid', 1], ['user', 1],
  ['group', 1], ['level', 1], ['severity-output', 1], ['expose-fd', 1], ['process', 1], ['thread', 1],
  ['tfo', 0], ['defer-accept', 0], ['mss', 1], ['nice', 1], ['namespace', 1], ['id', 1], ['proto', 1],
  ['tcp-ut', 1], ['label', 1], ['guid-prefix', 1], ['idle-ping', 1], ['quic-cc-algo', 1],
  ['quic-force-retry', 0], ['accept-netscaler-cip', 1], ['shards', 1], ['nbconn', 1],
] as const).map(([name, args]) => ({ ...notYetSupported(name, args, 'HAProxy bind option; not supported by truehop yet'), apply: () => undefined }));

const TLS: readonly BindKeyword[] = TLS_BIND_KEYWORDS.map((k) => ({ ...k, apply: (o: BindOptions, args: readonly Word[], kw: Word, sink: DiagnosticSink) => k.apply(o.tls, args, kw, sink) }));

export const BIND_KEYWORDS: readonly BindKeyword[] = [...SUPPORTED, ...TLS, ...NOT_YET];
const BY_NAME = new Map(BIND_KEYWORDS.map((k) => [k.name, k]));
const HAPROXY_BIND_OPTION_NAMES: ReadonlySet<string> = new Set(HAPROXY_BIND_OPTIONS);

/** Parses the words after `bind`; returns one BindDraft per address of the list. */
export function parseBindLine(args: readonly Word[], kw: Word, sink: DiagnosticSink): BindDraft[] {
  const addrWord = args[0];
  if (!addrWord) {
    sink.alert(kw.pos, 'MISSING_ARGUMENT', "'bind' expects <address>:<port> as an argument");
    return [];
  }
  const opts: BindOptions = { acceptProxy: false, name: undefined, v4v6: false, v6only: false, tls: newBindTlsDraft() };
  let i = 1;
  while (i < args.length) {
    const w = args[i] as Word;
    const desc = BY_NAME.get(w.text);
    if (!desc) {
      // A real HAProxy option whose argument count truehop does not record: named once, and
      // the rest of the line is not read (its words cannot be told from that option's arguments).
      if (HAPROXY_BIND_OPTION_NAMES.has(w.text)) sink.alert(w.pos, 'NOT_SUPPORTED_YET', `bind option '${w.text}' is not supported by truehop yet`);
      else sink.alert(w.pos, 'UNKNOWN_KEYWORD', `unknown bind option '${w.text}'${suggestion(w.text, [...SUPPORTED, ...TLS].map((k) => k.name))}`);
      break; // as HAProxy: the rest of the line cannot be interpreted
    }
    if (desc.status === 'not-yet-supported') {
      sink.alert(w.pos, 'NOT_SUPPORTED_YET', `bind option '${w.text}' is not supported by truehop yet`);
    } else {
      desc.apply(opts, args.slice(i + 1, i + 1 + desc.args), w, sink);
    }
    i += 1 + desc.args;
  }
  if (opts.v4v6 && opts.v6only) {
    sink.warning(kw.pos, 'CONFLICTING_OPTIONS', "'v4v6' and 'v6only' on the same bind line: v6only wins");
  }
  const tls = opts.tls;
  if (tls.ssl === undefined && (tls.crts.length > 0 || tls.caFile !== undefined)) {
    // HAProxy loads them and serves plain TCP; saying so catches a forgotten `ssl`.
    sink.warning(kw.pos, 'CONFLICTING_OPTIONS', "'crt'/'ca-file' without 'ssl' on this bind line: the listener stays plain TCP");
  }
  const binds: BindDraft[] = [];
  let offset = 0;
  for (const part of addrWord.text.split(',')) {
    const pos: SourcePos = { ...addrWord.pos, col: addrWord.pos.col + (addrWord.quoted ? 1 : 0) + offset };
    offset += part.length + 1;
    const a = parseBindAddress(part, pos, sink);
    if (!a) continue;
    const b: BindDraft = { host: a.host, port: a.port, acceptProxy: opts.acceptProxy, v4v6: opts.v4v6, v6only: opts.v6only, pos };
    if (opts.name !== undefined) b.name = opts.name;
    if (tls.ssl !== undefined) b.tlsDraft = tls;
    binds.push(b);
  }
  return binds;
}
