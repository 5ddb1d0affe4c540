// Log-format strings (HAProxy log.c parse_logformat_string / sess_build_logline): literal
// text, `%%`, `%[<sample expression>]`, `%<alias>` shorthands and `%{+Q,+X,+E}` options, used by
// `log-format`, `unique-id-format`, `set-var-fmt` and `set-proxy-v2-tlv-fmt`. Compiled once into
// a list of parts; rendering writes BYTES, so a binary TLV value forwarded with
// `%[fc_pp_tlv(0xEE)]` keeps its NUL bytes (HAProxy cuts it at the first NUL, issue #3489, §4.7).
import process from 'node:process';
import { Buffer } from 'node:buffer';
import type { SourcePos, Word } from '../text/source.js';
import type { Endpoint, Phase, SessionContext } from '../model/session.js';
import { PHASE_ORDER } from '../model/session.js';
import { hostname } from 'node:os';
import type { CompiledLogFormat } from './compiled.js';
import type { CompileEnv } from './compile-env.js';
import { suggestion } from '../text/did-you-mean.js';
import { compileExpression, noteInternalError } from './expression.js';
import { parseIPv4, parseIPv6 } from './ip-address.js';
import type { Sample } from './types.js';

export interface LogFormatOptions {
  /**
   * Text written for a `%[…]` whose sample is missing. Default '' (§4.14: a missing sample
   * produces nothing, so `set-proxy-v2-tlv-fmt` forwards an empty TLV, never a '-'; HAProxy
   * 2.6 renders nothing too, even under +Q).
   */
  readonly missingSample?: string;
}

interface ItemOptions {
  quote: boolean;
  hex: boolean;
  escape: boolean;
}

type ValueKind = 'text' | 'int' | 'ip' | 'port';

interface Alias {
  readonly kind: ValueKind;
  readonly phase: Phase;
  readonly summary: string;
  readonly get: (ctx: SessionContext) => string | number | undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** HAProxy's accept date: 09/Feb/2026:12:34:56.789, local time. */
function formatAcceptDate(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

const advertisedClient = (ctx: SessionContext): Endpoint => ctx.client ?? ctx.realClient;
const advertisedLocal = (ctx: SessionContext): Endpoint => ctx.local ?? ctx.realLocal;
const HOST = hostname();

/** The aliases truehop knows (HAProxy §8.2.6 names). */
export const LOG_ALIASES: Readonly<Record<string, Alias>> = {
  ci: { kind: 'ip', phase: 'connection', summary: 'client IP (advertised by a PROXY header)', get: (c) => advertisedClient(c).address },
  cp: { kind: 'port', phase: 'connection', summary: 'client port', get: (c) => advertisedClient(c).port },
  fi: { kind: 'ip', phase: 'connection', summary: 'frontend IP (address the client connected to)', get: (c) => advertisedLocal(c).address },
  fp: { kind: 'port', phase: 'connection', summary: 'frontend port', get: (c) => advertisedLocal(c).port },
  bi: { kind: 'ip', phase: 'backend', summary: 'backend source IP (local end of the server connection)', get: (c) => c.backendLocal?.address },
  bp: { kind: 'port', phase: 'backend', summary: 'backend source port', get: (c) => c.backendLocal?.port },
  si: { kind: 'ip', phase: 'backend', summary: 'server IP', get: (c) => c.serverAddress?.address },
  sp: { kind: 'port', phase: 'backend', summary: 'server port', get: (c) => c.serverAddress?.port },
  f: { kind: 'text', phase: 'connection', summary: 'frontend name', get: (c) => c.frontendName },
  ft: { kind: 'text', phase: 'connection', summary: "frontend name with transport ('~' suffix for TLS; truehop has none)", get: (c) => c.frontendName },
  b: { kind: 'text', phase: 'backend', summary: 'backend name (the frontend until one is chosen)', get: (c) => c.backendName ?? c.frontendName },
  s: { kind: 'text', phase: 'backend', summary: "server name, '<NOSRV>' when none", get: (c) => c.serverName ?? '<NOSRV>' },
  t: { kind: 'text', phase: 'connection', summary: 'accept date, local time (10/Feb/2026:12:00:00.000)', get: (c) => formatAcceptDate(c.acceptedAtMs) },
  Ts: { kind: 'int', phase: 'connection', summary: 'accept date as a UNIX timestamp', get: (c) => Math.floor(c.acceptedAtMs / 1000) },
  Tw: { kind: 'int', phase: 'backend', summary: 'time waiting in queues, ms (-1 when never queued)', get: (c) => c.stats.queueMs },
  Tc: { kind: 'int', phase: 'backend', summary: 'time to connect to the server, ms (-1 when none)', get: (c) => c.stats.connectMs },
  Tt: { kind: 'int', phase: 'backend', summary: 'total session time, ms', get: (c) => c.stats.totalMs },
  B: { kind: 'int', phase: 'backend', summary: 'bytes sent to the client', get: (c) => c.stats.bytesToClient },
  U: { kind: 'int', phase: 'backend', summary: 'bytes received from the client', get: (c) => c.stats.bytesFromClient },
  ts: { kind: 'text', phase: 'backend', summary: 'termination state, two characters', get: (c) => c.stats.terminationState },
  ac: { kind: 'int', phase: 'connection', summary: 'concurrent connections of the process', get: (c) => c.stats.activeConns },
  fc: { kind: 'int', phase: 'connection', summary: 'concurrent connections of the frontend', get: (c) => c.stats.frontendConns },
  bc: { kind: 'int', phase: 'backend', summary: 'concurrent connections of the backend', get: (c) => c.stats.backendConns },
  sc: { kind: 'int', phase: 'backend', summary: 'concurrent connections of the server', get: (c) => c.stats.serverConns },
  rc: { kind: 'int', phase: 'backend', summary: "connection retries, '+' first after a redispatch", get: (c) => (c.stats.redispatched ? `+${c.stats.retries}` : c.stats.retries) },
  ID: { kind: 'text', phase: 'session', summary: 'unique id (unique-id-format)', get: (c) => c.uniqueId ?? undefined },
  H: { kind: 'text', phase: 'connection', summary: 'host name of the machine', get: () => HOST },
  pid: { kind: 'int', phase: 'connection', summary: 'process id', get: () => process.pid },
};

const QUOTE = Buffer.from('"');

/** +E: a backslash before `"`, `\` and `]`, so the value cannot end a quoted or bracketed log field. */
function escapeBytes(b: Buffer): Buffer {
  let n = 0;
  for (const c of b) if (c === 0x22 || c === 0x5c || c === 0x5d) n++;
  if (n === 0) return b;
  const out = Buffer.alloc(b.length + n);
  let j = 0;
  for (const c of b) {
    if (c === 0x22 || c === 0x5c || c === 0x5d) out[j++] = 0x5c;
    out[j++] = c;
  }
  return out;
}

/** +X: upper-case hex for IPs (8 or 32 digits), ports (4 digits) and integers. */
function hexValue(kind: ValueKind, v: string | number): string {
  if (kind === 'port') return (v as number).toString(16).toUpperCase().padStart(4, '0');
  if (kind === 'int') return (v as number).toString(16).toUpperCase();
  const v4 = parseIPv4(v as string);
  if (v4 !== undefined) return v4.toString(16).toUpperCase().padStart(8, '0');
  const v6 = parseIPv6(v as string);
  return v6 === undefined ? String(v) : Buffer.from(v6).toString('hex').toUpperCase();
}

function sampleBytes(s: Sample): Buffer {
  switch (s.type) {
    case 'bin': return s.value; // intact, NULs included (deliberate difference from HAProxy)
    case 'str': return Buffer.from(s.value, 'latin1');
    case 'bool': return Buffer.from(s.value ? '1' : '0');
    default: return Buffer.from(String(s.value), 'latin1');
  }
}

type Part = Buffer | ((ctx: SessionContext) => Buffer);

function finish(bytes: Buffer, o: ItemOptions): Buffer {
  const body = o.escape ? escapeBytes(bytes) : bytes;
  return o.quote ? Buffer.concat([QUOTE, body, QUOTE]) : body;
}

export function compileLogFormat(word: Word, env: CompileEnv, options: LogFormatOptions = {}): CompiledLogFormat | undefined {
  const text = word.text;
  const at = (i: number): SourcePos => ({ ...word.pos, col: word.pos.col + i });
  const missingSample = Buffer.from(options.missingSample ?? '', 'latin1');
  const parts: Part[] = [];
  let literal = '';
  let phase: Phase = 'connection';
  let defaults: ItemOptions = { quote: false, hex: false, escape: false };
  let ok = true;
  const flush = (): void => {
    if (literal !== '') parts.push(Buffer.from(literal, 'utf8'));
    literal = '';
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '%') {
      literal += c;
      i++;
      continue;
    }
    if (text[i + 1] === '%') {
      literal += '%';
      i += 2;
      continue;
    }
    const start = i;
    let j = i + 1;
    const o: ItemOptions = { ...defaults };
    if (text[j] === '{') {
      const close = text.indexOf('}', j);
      if (close === -1) {
        env.diagnostics.alert(at(j), 'BAD_LOG_FORMAT', `missing '}' after '%{' in '${text}'`);
        return undefined;
      }
      for (const opt of text.slice(j + 1, close).split(',')) {
        const on = opt[0] === '+';
        const name = opt.slice(1);
        if ((opt[0] !== '+' && opt[0] !== '-') || !['Q', 'X', 'E'].includes(name)) {
          env.diagnostics.warning(at(j), 'LOG_FORMAT_OPTION_IGNORED', `log-format option '${opt}' is not supported (truehop knows +Q, +X, +E); ignored`);
          continue;
        }
        if (name === 'Q') o.quote = on;
        else if (name === 'X') o.hex = on;
        else o.escape = on;
      }
      j = close + 1;
      if (text[j] === 'o') {
        // %{…}o: these options apply to every following item.
        defaults = o;
        i = j + 1;
        continue;
      }
    }
    if (text[j] === '[') {
      let depth = 0;
      let k = j + 1;
      let quote: string | null = null;
      for (; k < text.length; k++) {
        const ch = text[k] as string;
        if (quote !== null) { if (ch === quote) quote = null; else if (ch === '\\') k++; continue; }
        if (ch === '\\') { k++; continue; }
        if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '(') depth++;
        else if (ch === ')') depth--;
        else if (ch === ']' && depth <= 0) break;
      }
      if (k >= text.length) {
        env.diagnostics.alert(at(start), 'BAD_LOG_FORMAT', `missing ']' to close '%[' in '${text}'`);
        return undefined;
      }
      const expr = compileExpression(word, env, { checkPhase: true, text: text.slice(j + 1, k), columnOffset: j + 1 });
      if (expr === undefined) ok = false;
      else {
        if (PHASE_ORDER[expr.earliestPhase] > PHASE_ORDER[phase]) phase = expr.earliestPhase;
        const evaluate = expr.evaluate;
        const item = { ...o };
        flush();
        // A missing sample gives `missingSample` ('' by default), quoted or not: HAProxy 2.6
        // renders `%{+Q}[<missing>]` as nothing too (observed through `http-request return hdr`).
        parts.push((ctx) => {
          const s = evaluate(ctx);
          return s === undefined ? missingSample : finish(sampleBytes(s), item);
        });
      }
      i = k + 1;
      continue;
    }
    let k = j;
    while (k < text.length && /[A-Za-z]/.test(text[k] as string)) k++;
    const name = text.slice(j, k);
    if (name === '') {
      env.diagnostics.alert(at(start), 'BAD_LOG_FORMAT', `'%' must be followed by an alias, '[', '{' or '%' in '${text}' (write '%%' for a literal '%')`);
      return undefined;
    }
    const alias = LOG_ALIASES[name];
    if (alias === undefined) {
      env.diagnostics.alert(at(start), 'UNKNOWN_LOG_ALIAS', `unknown log-format alias '%${name}'${suggestion(name, Object.keys(LOG_ALIASES))}`);
      ok = false;
      i = k;
      continue;
    }
    if (PHASE_ORDER[alias.phase] > PHASE_ORDER[phase]) phase = alias.phase;
    const item = { ...o };
    const get = alias.get;
    const kind = alias.kind;
    flush();
    // HAProxy 2.6, observed: a missing alias value renders as nothing (`""` under +Q for text
    // and addresses); +Q quotes text and addresses, never ports or numbers.
    const quotable = kind === 'text' || kind === 'ip';
    const itemOptions = quotable ? item : { ...item, quote: false };
    const missing = finish(Buffer.alloc(0), itemOptions);
    parts.push((ctx) => {
      const v = get(ctx);
      if (v === undefined) return missing;
      const textValue = item.hex && kind !== 'text' ? hexValue(kind, v) : String(v);
      return finish(Buffer.from(textValue, 'utf8'), itemOptions);
    });
    i = k;
  }
  flush();
  if (!ok) return undefined;

  let render: (ctx: SessionContext) => Buffer;
  if (parts.length === 0) {
    const empty = Buffer.alloc(0);
    render = () => empty;
  } else if (parts.length === 1) {
    const only = parts[0] as Part;
    render = typeof only === 'function' ? only : () => only;
  } else {
    render = (ctx) => {
      const chunks: Buffer[] = new Array<Buffer>(parts.length);
      for (let p = 0; p < parts.length; p++) {
        const part = parts[p] as Part;
        chunks[p] = typeof part === 'function' ? part(ctx) : part;
      }
      return Buffer.concat(chunks);
    };
  }
  const unguarded = render;
  const EMPTY = Buffer.alloc(0);
  // Never throws into the data path: a log line or a TLV is not worth a crashed process.
  const guarded = (ctx: SessionContext): Buffer => {
    try {
      return unguarded(ctx);
    } catch {
      noteInternalError();
      return EMPTY;
    }
  };
  return { source: text, earliestPhase: phase, render: guarded };
}
