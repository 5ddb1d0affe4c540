// `server <name> <address>:<port> [options…]` and `default-server [options…]`: the server
// option registry (HAProxy src/server.c srv_kws) and the line parser that walks it. Options
// are applied left to right on a copy of the proxy's current default-server, exactly like
// HAProxy, so `no-*` forms can undo what default-server set.
import type { DiagnosticSink } from '../../../text/diagnostics.js';
import type { SourcePos, Word } from '../../../text/source.js';
import { notYetSupported } from '../keyword.js';
import { HAPROXY_SERVER_OPTIONS } from '../../../text/haproxy-names.js';
import type { PpFlag, ServerDraft } from '../../draft.js';
import { parseTime } from '../../../text/time.js';
import { parseUnsigned, strtoul } from '../../../text/integer.js';
import { isCheckAddress } from '../address.js';
import { suggestion } from '../../../text/did-you-mean.js';
import type { ProxyV2Option } from '../../../model/config-model.js';
import { SERVER_TLS_KEYWORDS } from './server-tls-keywords.js';
import { flag, missing, valueOption, type ServerKeyword } from './server-keyword.js';

export type { ServerKeyword } from './server-keyword.js';


/** Highest server weight HAProxy accepts (SRV_UWGHT_MAX). */
export const MAX_SERVER_WEIGHT = 256;
/** Largest counters (rise/fall/maxconn) we take: HAProxy stores them as int. */
const MAX_INT = 2_147_483_647;
const SET_TLV_FMT = 'set-proxy-v2-tlv-fmt';

export const PROXY_V2_OPTIONS: readonly ProxyV2Option[] = ['ssl', 'cert-cn', 'ssl-cipher', 'cert-sig', 'cert-key', 'authority', 'crc32c', 'unique-id'];

function setPp(s: ServerDraft, flag: PpFlag, pos: SourcePos): void {
  s.pp.add(flag);
  s.ppPos.set(flag, pos);
}

function clearPp(s: ServerDraft, ...flags: PpFlag[]): void {
  for (const f of flags) {
    s.pp.delete(f);
    s.ppPos.delete(f);
  }
}

function timeOption(name: string, summary: string, set: (s: ServerDraft, ms: number) => void): ServerKeyword {
  return valueOption(name, '<time>', summary, (s, v, kw, sink) => {
    const r = parseTime(v.text);
    if (!r.ok) return sink.alert(v.pos, 'BAD_TIME', `'${kw.text}': ${r.reason}`);
    if (r.ms === 0) return sink.alert(v.pos, 'BAD_VALUE', `'${kw.text}' has to be > 0`);
    set(s, r.ms);
  });
}

function intOption(name: string, syntax: string, summary: string, min: number, max: number, set: (s: ServerDraft, n: number) => void): ServerKeyword {
  return valueOption(name, syntax, summary, (s, v, kw, sink) => {
    const n = parseUnsigned(v.text, max);
    if (n === undefined || n < min) return sink.alert(v.pos, 'BAD_NUMBER', `'${kw.text}' expects an integer between ${min} and ${max}, got '${v.text}'`);
    set(s, n);
  });
}

const SUPPORTED: readonly ServerKeyword[] = [
  flag('check', 'enable health checks (TCP connect)', (s) => { s.check = true; }),
  flag('no-check', 'disable health checks', (s) => { s.check = false; }),
  timeOption('inter', 'interval between two checks (default 2s)', (s, ms) => { s.interMs = ms; }),
  timeOption('fastinter', 'check interval while a server is going up or down (default: inter)', (s, ms) => { s.fastinterMs = ms; }),
  timeOption('downinter', 'check interval while a server is down (default: inter)', (s, ms) => { s.downinterMs = ms; }),
  intOption('rise', '<count>', 'consecutive successful checks to consider a server up (default 2)', 1, MAX_INT, (s, n) => { s.rise = n; }),
  intOption('fall', '<count>', 'consecutive failed checks to consider a server down (default 3)', 1, MAX_INT, (s, n) => { s.fall = n; }),
  intOption('port', '<port>', 'send health checks to this port; checks then no longer inherit send-proxy (use check-send-proxy)', 1, 65535, (s, n) => { s.checkPort = n; }),
  {
    name: 'addr',
    syntax: '<ipv4|ipv6>',
    summary: 'send health checks to this address; checks then no longer inherit send-proxy (use check-send-proxy)',
    status: 'supported',
    args: 1,
    apply(s, args, kw, sink) {
      const v = args[0];
      if (!v) return missing(kw, '<address>', sink);
      if (!isCheckAddress(v.text)) return sink.alert(v.pos, 'BAD_ADDRESS', `'addr' expects an address, got '${v.text}'`);
      s.checkAddr = v.text;
    },
  },
  intOption('weight', '<weight>', `relative weight for balancing, 0 to ${MAX_SERVER_WEIGHT} (default 1)`, 0, MAX_SERVER_WEIGHT, (s, n) => { s.weight = n; }),
  flag('backup', 'use this server only when every non-backup server is down', (s) => { s.backup = true; }),
  flag('no-backup', "undo 'backup' (e.g. from default-server)", (s) => { s.backup = false; }),
  flag('disabled', 'start the server in maintenance mode', (s) => { s.disabled = true; }),
  flag('enabled', "undo 'disabled' (e.g. from default-server)", (s) => { s.disabled = false; }),
  intOption('maxconn', '<maxconn>', 'maximum concurrent connections to this server', 0, MAX_INT, (s, n) => { s.maxconn = n; }),
  flag('send-proxy', 'send a PROXY protocol v1 header on every connection (§4.3); send-proxy-v2 wins when both are set', (s, kw) => setPp(s, 'v1', kw.pos)),
  flag('no-send-proxy', "undo 'send-proxy'", (s) => clearPp(s, 'v1')),
  flag('send-proxy-v2', 'send a PROXY protocol v2 header on every connection (§4.4)', (s, kw) => setPp(s, 'v2', kw.pos)),
  flag('no-send-proxy-v2', "undo 'send-proxy-v2'", (s) => clearPp(s, 'v2')),
  flag('send-proxy-v2-ssl', 'send-proxy-v2 plus the SSL TLV with the version sub-TLV (§4.5)', (s, kw) => { setPp(s, 'v2', kw.pos); setPp(s, 'ssl', kw.pos); }),
  flag('no-send-proxy-v2-ssl', 'clear send-proxy-v2 and the SSL TLV (§4.5)', (s) => clearPp(s, 'v2', 'ssl')),
  flag('send-proxy-v2-ssl-cn', 'send-proxy-v2-ssl plus the client certificate CN sub-TLV (§4.5)', (s, kw) => { setPp(s, 'v2', kw.pos); setPp(s, 'ssl', kw.pos); setPp(s, 'cert-cn', kw.pos); }),
  flag('no-send-proxy-v2-ssl-cn', 'clear send-proxy-v2, the SSL TLV and the CN sub-TLV (§4.5)', (s) => clearPp(s, 'v2', 'ssl', 'cert-cn')),
  {
    name: 'proxy-v2-options',
    syntax: '<option>[,<option>…]',
    summary: `TLVs to add to the v2 header: ${PROXY_V2_OPTIONS.join(', ')} (§4.6); needs send-proxy-v2`,
    status: 'supported',
    args: 1,
    apply(s, args, kw, sink) {
      const v = args[0];
      if (!v) return missing(kw, '<option>[,<option>…]', sink);
      let offset = 0;
      for (const name of v.text.split(',')) {
        const pos = { ...v.pos, col: v.pos.col + (v.quoted ? 1 : 0) + offset };
        offset += name.length + 1;
        if (!(PROXY_V2_OPTIONS as readonly string[]).includes(name)) {
          // HAProxy: "'<name>' : proxy v2 option not implemented" (fatal).
          sink.alert(pos, 'UNKNOWN_PV2_OPTION', `'${name}' : proxy v2 option not implemented${suggestion(name, PROXY_V2_OPTIONS)}`);
          continue;
        }
        const opt = name as ProxyV2Option;
        setPp(s, opt, pos);
        // Every SSL sub-TLV option implies the SSL TLV itself (HAProxy sets SRV_PP_V2_SSL too).
        if (opt === 'cert-cn' || opt === 'ssl-cipher' || opt === 'cert-sig' || opt === 'cert-key') setPp(s, 'ssl', pos);
      }
    },
  },
  {
    name: `${SET_TLV_FMT}(<id>)`,
    syntax: '<fmt>',
    summary: 'add a TLV of type <id> (strtoul base 0: 0xE1, 225, 0341; at most 255) whose value is the log-format <fmt> (§4.7); needs send-proxy-v2',
    status: 'supported',
    args: 1,
    apply(s, args, kw, sink) {
      const type = parseTlvFmtId(kw, sink);
      if (type === undefined) return;
      const fmt = args[0];
      if (!fmt || fmt.text === '') {
        // HAProxy emits an empty TLV (§4.7); almost surely not what was meant.
        sink.warning((fmt ?? kw).pos, 'EMPTY_TLV_FMT', `'${kw.text}' has an empty format: an empty TLV is sent`);
      }
      s.tlvFmts.push({ type, fmt: fmt ?? { text: '', pos: kw.pos, quoted: false }, pos: kw.pos });
    },
  },
  flag('check-send-proxy', 'send a PROXY header on health checks even with port/addr (§4.8)', (s) => { s.checkSendProxy = true; }),
  flag('no-check-send-proxy', "undo 'check-send-proxy'", (s) => { s.checkSendProxy = false; }),
  ...SERVER_TLS_KEYWORDS,
];

/**
 * Parses `(<id>)` of set-proxy-v2-tlv-fmt like HAProxy: C strtoul base 0, then `)` must
 * follow and the value must fit a TLV type byte (§4.7). Without `(<id>)` HAProxy uses type 0;
 * we do too, with a warning, because type 0 is almost surely a mistake.
 */
export function parseTlvFmtId(kw: Word, sink: DiagnosticSink): number | undefined {
  const rest = kw.text.slice(SET_TLV_FMT.length);
  if (rest === '') {
    sink.warning(kw.pos, 'TLV_FMT_NO_ID', `'${SET_TLV_FMT}' without '(<id>)' sends a TLV of type 0`);
    return 0;
  }
  if (!rest.startsWith('(')) return undefined; // not this keyword (the caller checked the prefix)
  const r = strtoul(rest, 1);
  if (rest === '()') {
    sink.warning(kw.pos, 'TLV_FMT_NO_ID', `'${kw.text}' has an empty id: HAProxy reads it as type 0`);
    return 0;
  }
  if (rest[r.end] !== ')' || r.end + 1 !== rest.length || r.end === 1) {
    sink.alert(kw.pos, 'BAD_TLV_ID', `'${kw.text}': expects '(<id>)' with a number (0xE1, 225 or 0341), got '${rest}'`);
    return undefined;
  }
  if (r.value > 255) {
    sink.alert(kw.pos, 'BAD_TLV_ID', `'${kw.text}': TLV type ${r.value} is larger than 255`);
    return undefined;
  }
  return r.value;
}

/** Real HAProxy server options truehop does not implement yet (name, argument count). */
const NOT_YET: readonly ServerKeyword[] = ([
  ['npn', 1], ['crl-file', 1], ['no-sslv3', 0], ['no-tlsv10', 0],
  ['no-tlsv11', 0], ['no-tlsv12', 0], ['no-tlsv13', 0], ['force-tlsv12', 0], ['force-tlsv13', 0],
  ['allow-0rtt', 0], ['check-alpn', 1],
  ['check-proto', 1], ['check-via-socks4', 0], ['cookie', 1], ['resolvers', 1], ['resolve-prefer', 1],
  ['resolve-net', 1], ['resolve-opts', 1], ['init-addr', 1], ['agent-check', 0], ['no-agent-check', 0],
  ['agent-port', 1], ['agent-inter', 1], ['agent-addr', 1], ['agent-send', 1], ['error-limit', 1],
  ['observe', 1], ['on-error', 1], ['on-marked-down', 1], ['on-marked-up', 1], ['maxqueue', 1],
  ['minconn', 1], ['slowstart', 1], ['source', 1], ['track', 1], ['redir', 1], ['id', 1],
  ['namespace', 1], ['tfo', 0], ['no-tfo', 0], ['usesrc', 1], ['pool-max-conn', 1], ['pool-low-conn', 1],
  ['pool-purge-delay', 1], ['pool-conn-name', 1], ['max-reuse', 1], ['proto', 1], ['ws', 1], ['socks4', 1],
  ['tcp-ut', 1], ['non-stick', 0], ['stick', 0], ['log-proto', 1], ['guid', 1], ['hash-key', 1],
  ['shard', 1], ['init-state', 1], ['check-reuse-pool', 0], ['check-pool-conn-name', 1], ['sni-auto', 0],
] as const).map(([name, args]) => ({ ...notYetSupported(name, args, 'HAProxy server option; not supported by truehop yet'), apply: () => undefined }));

export const SERVER_KEYWORDS: readonly ServerKeyword[] = [...SUPPORTED, ...NOT_YET];
const BY_NAME = new Map(SERVER_KEYWORDS.map((k) => [k.name, k]));
const HAPROXY_SERVER_OPTION_NAMES: ReadonlySet<string> = new Set(HAPROXY_SERVER_OPTIONS);
const TLV_FMT_KEYWORD = BY_NAME.get(`${SET_TLV_FMT}(<id>)`) as ServerKeyword;

function lookup(text: string): ServerKeyword | undefined {
  if (text === SET_TLV_FMT || text.startsWith(`${SET_TLV_FMT}(`)) return TLV_FMT_KEYWORD;
  return BY_NAME.get(text);
}

/**
 * Applies `options` (the words after the address, or after `default-server`) to `server`.
 * On an unknown option HAProxy stops reading the line; so do we, since the following words
 * cannot be told apart from its arguments.
 */
export function applyServerOptions(server: ServerDraft, options: readonly Word[], sink: DiagnosticSink): void {
  let i = 0;
  while (i < options.length) {
    const kw = options[i] as Word;
    const desc = lookup(kw.text);
    if (!desc) {
      // A real HAProxy option whose argument count truehop does not record: named once, and
      // the rest of the line is not read (its words cannot be told from that option's arguments).
      if (HAPROXY_SERVER_OPTION_NAMES.has(kw.text)) {
        sink.alert(kw.pos, 'NOT_SUPPORTED_YET', `server option '${kw.text}' is not supported by truehop yet`);
        return;
      }
      const names = SUPPORTED.map((k) => (k === TLV_FMT_KEYWORD ? SET_TLV_FMT : k.name));
      sink.alert(kw.pos, 'UNKNOWN_KEYWORD', `unknown server option '${kw.text}'${suggestion(kw.text, names)}`);
      return;
    }
    const args = options.slice(i + 1, i + 1 + desc.args);
    if (desc.status === 'not-yet-supported') {
      sink.alert(kw.pos, 'NOT_SUPPORTED_YET', `server option '${kw.text}' is not supported by truehop yet`);
    } else {
      desc.apply(server, args, kw, sink);
    }
    i += 1 + desc.args;
  }
}
