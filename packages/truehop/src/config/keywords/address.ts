// `<address>:<port>` as written on `bind` and `server` lines (HAProxy str2sa_range): IPv4,
// IPv6 in brackets or bare (the port follows the LAST colon, so `:::80` is `::` port 80),
// `*` or nothing for every address, optional `ipv4@`/`ipv6@` family prefixes. Other socket
// families (unix@, abns@, fd@, udp@, quic…@, paths) are real HAProxy syntax truehop does not
// support yet: they get NOT_SUPPORTED_YET, never "bad address".
import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { DiagnosticSink } from '../../text/diagnostics.js';
import type { SourcePos } from '../../text/source.js';

export interface ParsedAddress {
  host: string;
  port: number;
}

const UNSUPPORTED_PREFIXES = ['unix@', 'abns@', 'abnsz@', 'fd@', 'sockpair@', 'udp@', 'udp4@', 'udp6@', 'quic4@', 'quic6@', 'quic@', 'uxst@', 'uxdg@', 'rhttp@', 'mptcp@', 'mptcp4@', 'mptcp6@'];
const TCP_PREFIXES = ['ipv4@', 'ipv6@', 'tcp@', 'tcp4@', 'tcp6@'];
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/;

/** Column of character `offset` of a word, for diagnostics inside a word. */
function at(pos: SourcePos, offset: number): SourcePos {
  return { file: pos.file, line: pos.line, col: pos.col + offset };
}

function splitHostPort(
  text: string,
  pos: SourcePos,
  sink: DiagnosticSink,
  what: 'bind' | 'server',
): { host: string; portText: string | undefined; portOffset: number; prefix: string } | undefined {
  let body = text;
  let prefix = '';
  const lower = text.toLowerCase();
  for (const p of UNSUPPORTED_PREFIXES) {
    if (lower.startsWith(p)) {
      sink.alert(pos, 'NOT_SUPPORTED_YET', `'${p}' addresses on '${what}' are not supported yet (TCP over IPv4/IPv6 only)`);
      return undefined;
    }
  }
  for (const p of TCP_PREFIXES) {
    if (lower.startsWith(p)) {
      prefix = p;
      body = text.slice(p.length);
      break;
    }
  }
  if (body.startsWith('/')) {
    sink.alert(pos, 'NOT_SUPPORTED_YET', `UNIX socket paths on '${what}' are not supported yet (TCP over IPv4/IPv6 only)`);
    return undefined;
  }
  if (body.startsWith('[')) {
    const close = body.indexOf(']');
    if (close < 0) {
      sink.alert(pos, 'BAD_ADDRESS', `missing ']' in '${text}'`);
      return undefined;
    }
    const host = body.slice(1, close);
    const rest = body.slice(close + 1);
    if (rest === '') return { host, portText: undefined, portOffset: text.length, prefix };
    if (!rest.startsWith(':')) {
      sink.alert(at(pos, prefix.length + close + 1), 'BAD_ADDRESS', `expected ':<port>' after ']' in '${text}'`);
      return undefined;
    }
    return { host, portText: rest.slice(1), portOffset: prefix.length + close + 2, prefix };
  }
  const colon = body.lastIndexOf(':');
  if (colon < 0) return { host: body, portText: undefined, portOffset: text.length, prefix };
  return { host: body.slice(0, colon), portText: body.slice(colon + 1), portOffset: prefix.length + colon + 1, prefix };
}

function checkHost(host: string, prefix: string, text: string, pos: SourcePos, sink: DiagnosticSink): boolean {
  if (prefix === 'ipv4@' || prefix === 'tcp4@') {
    if (host !== '' && host !== '*' && !isIPv4(host) && !HOSTNAME.test(host)) {
      sink.alert(pos, 'BAD_ADDRESS', `'${host}' is not an IPv4 address in '${text}'`);
      return false;
    }
    return true;
  }
  if (prefix === 'ipv6@' || prefix === 'tcp6@') {
    if (host !== '' && host !== '*' && !isIPv6(host) && !HOSTNAME.test(host)) {
      sink.alert(pos, 'BAD_ADDRESS', `'${host}' is not an IPv6 address in '${text}'`);
      return false;
    }
    return true;
  }
  if (host === '' || host === '*' || isIP(host) !== 0) return true;
  // Dotted quads that are not valid IPv4 (999.1.1.1) must not pass as hostnames.
  if (/^[0-9.]+$/.test(host) || host.includes(':') || !HOSTNAME.test(host)) {
    sink.alert(pos, 'BAD_ADDRESS', `invalid address '${host}' in '${text}'`);
    return false;
  }
  return true;
}

/**
 * One bind address. Port ranges (`1000-1010`) are HAProxy syntax for several listeners;
 * truehop rejects them with a clear message rather than silently binding one port.
 * Port 0 is accepted: the system picks a free port (tests and the runtime report it).
 */
export function parseBindAddress(text: string, pos: SourcePos, sink: DiagnosticSink): ParsedAddress | undefined {
  const parts = splitHostPort(text, pos, sink, 'bind');
  if (!parts) return undefined;
  if (!checkHost(parts.host, parts.prefix, text, pos, sink)) return undefined;
  const portPos = at(pos, parts.portOffset);
  if (parts.portText === undefined || parts.portText === '') {
    sink.alert(pos, 'MISSING_PORT', `missing port number in bind address '${text}'`);
    return undefined;
  }
  if (/^[0-9]+-[0-9]+$/.test(parts.portText)) {
    sink.alert(portPos, 'PORT_RANGE', `port ranges ('${parts.portText}') are not supported: write one bind address per port (a comma-separated list works)`);
    return undefined;
  }
  const port = /^[0-9]{1,5}$/.test(parts.portText) ? Number(parts.portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    sink.alert(portPos, 'BAD_PORT', `invalid port '${parts.portText}' in '${text}' (0-65535)`);
    return undefined;
  }
  let host = parts.host;
  if (host === '*' || host === '0.0.0.0') host = '';
  if (host === '' && (parts.prefix === 'ipv6@' || parts.prefix === 'tcp6@')) host = '::';
  if (host === '' && (parts.prefix === 'ipv4@' || parts.prefix === 'tcp4@')) host = '0.0.0.0';
  return { host, port };
}

/** A server address: a port is mandatory in truehop (HAProxy's port-less/offset forms come later). */
export function parseServerAddress(text: string, pos: SourcePos, sink: DiagnosticSink): ParsedAddress | undefined {
  const parts = splitHostPort(text, pos, sink, 'server');
  if (!parts) return undefined;
  if (parts.host === '' || parts.host === '*') {
    sink.alert(pos, 'BAD_ADDRESS', `server address '${text}' has no host`);
    return undefined;
  }
  if (!checkHost(parts.host, parts.prefix, text, pos, sink)) return undefined;
  const portPos = at(pos, parts.portOffset);
  if (parts.portText === undefined || parts.portText === '') {
    sink.alert(pos, 'NOT_SUPPORTED_YET', `a server without a port (HAProxy then reuses the client's destination port) is not supported yet: write '${text}:<port>'`);
    return undefined;
  }
  if (/^[+-][0-9]+$/.test(parts.portText)) {
    sink.alert(portPos, 'NOT_SUPPORTED_YET', `port offsets ('${parts.portText}') on servers are not supported yet`);
    return undefined;
  }
  const port = /^[0-9]{1,5}$/.test(parts.portText) ? Number(parts.portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    sink.alert(portPos, 'BAD_PORT', `invalid port '${parts.portText}' in '${text}' (1-65535)`);
    return undefined;
  }
  return { host: parts.host, port };
}

/** `addr <ip>` of a server: the address health checks go to. */
export function isCheckAddress(text: string): boolean {
  return isIP(text) !== 0 || (!/^[0-9.]+$/.test(text) && HOSTNAME.test(text));
}
