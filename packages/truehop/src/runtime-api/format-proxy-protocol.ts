// `show proxy-protocol` and `show errors`: beyond HAProxy's CLI, the PROXY-protocol view of each
// frontend (headers by version and command, rejections by reason, TLV types, upstream hops) and
// the last rejected headers with a hex dump of their first bytes, because "why does my NLB
// traffic fail" is answered by what the peer actually sent. `show errors` keeps HAProxy's
// layout (a "Total events captured" line, then one block per event).
import { Buffer } from 'node:buffer';
import type { CapturedErrorSnapshot, FrontendSnapshot, StatsSnapshot } from '../observe/stats-snapshot.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** HAProxy's CLI date: `[05/Dec/2026:04:21:01.227]` (local time, as its logs). */
export function formatCliDate(ms: number): string {
  const d = new Date(ms);
  return `[${two(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}]`;
}

const pairs = (o: Record<string, number>, key: (k: string) => string = (k) => k): string =>
  Object.entries(o).map(([k, v]) => `${key(k)}=${v}`).join(' ') || '-';

function frontendBlock(f: FrontendSnapshot, showSources: boolean): string {
  const pp = f.proxyProtocol;
  const tlv = (k: string): string => `0x${Number(k).toString(16).padStart(2, '0')}`;
  const hops = showSources ? `${pairs(pp.hops)}${pp.otherHops > 0 ? ` other=${pp.otherHops}` : ''}` : '(operator level)';
  return `# frontend ${f.name} (#${f.id})\n` +
    `headers: v1=${pp.v1} v2=${pp.v2} PROXY=${pp.cmdProxy} LOCAL=${pp.cmdLocal}\n` +
    `rejections: ${pairs(pp.rejections)}\n` +
    `tlv_types: ${pairs(pp.tlvTypes, tlv)}\n` +
    `upstream_hops: ${hops}\n` +
    `captured_errors: ${pp.capturedTotal}\n`;
}

/** `show proxy-protocol [<frontend>]`; null when the frontend is unknown. Sources are shown at operator level and above. */
export function formatProxyProtocol(snapshot: StatsSnapshot, frontend: string | undefined, showSources: boolean): string | null {
  const list = frontend === undefined ? snapshot.frontends : snapshot.frontends.filter((f) => f.name === frontend);
  if (frontend !== undefined && list.length === 0) return null;
  return list.map((f) => frontendBlock(f, showSources)).join('\n');
}

/** A hex dump, 16 bytes a line: offset, bytes, printable characters. */
export function hexDump(hex: string, indent = '  '): string {
  const bytes = Buffer.from(hex, 'hex');
  let out = '';
  for (let at = 0; at < bytes.length; at += 16) {
    const line = bytes.subarray(at, at + 16);
    const hexPart = [...line].map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(47);
    const text = [...line].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out += `${indent}${String(at).padStart(5, '0')}  ${hexPart}  |${text}|\n`;
  }
  return out;
}

function eventBlock(f: FrontendSnapshot, e: CapturedErrorSnapshot, index: number): string {
  return `${formatCliDate(e.atMs)} frontend ${f.name} (#${f.id}): invalid PROXY header (${e.reason}${e.code !== e.reason.slice(4) ? `, ${e.code}` : ''})\n` +
    `  src ${e.peer}, bind ${e.bind}, pid ${e.pid}, event #${index}, ${e.total} bytes received (first ${e.hex.length / 2} shown)\n` +
    hexDump(e.hex);
}

/** `show errors [<frontend>]`: HAProxy's header line, then the captured PROXY-header rejections. */
export function formatErrors(snapshot: StatsSnapshot, frontend: string | undefined, nowMs: number): string | null {
  const list = frontend === undefined ? snapshot.frontends : snapshot.frontends.filter((f) => f.name === frontend);
  if (frontend !== undefined && list.length === 0) return null;
  const events = list.flatMap((f) => f.proxyProtocol.captured.map((e) => ({ f, e })));
  let out = `Total events captured on ${formatCliDate(nowMs)} : ${events.length}\n`;
  events.forEach(({ f, e }, i) => (out += `\n${eventBlock(f, e, i)}`));
  return out;
}
