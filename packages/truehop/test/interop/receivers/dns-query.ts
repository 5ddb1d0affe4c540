// DNS over TCP for the DNS peers (Unbound, PowerDNS Recursor, dnsdist): one A query for
// interop.test., written with its two-byte length prefix (RFC 1035 §4.2.2); complete once one
// whole length-prefixed answer arrived.
import type net from 'node:net';
import { exchangeText } from '../receiver.js';
import type { CellReport } from '../matrix.js';

export const QUERY_NAME = 'interop.test';

function encodeQuery(name: string, id: number): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')]));
  // Header: id, flags RD, 1 question; then QNAME, QTYPE A (1), QCLASS IN (1).
  const message = Buffer.concat([Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** Whether `answer` (latin1 text of the bytes) holds one complete length-prefixed message. */
function complete(answer: string): boolean {
  if (answer.length < 2) return false;
  return answer.length >= 2 + ((answer.charCodeAt(0) << 8) | answer.charCodeAt(1));
}

export function dnsExchange(socket: net.Socket): Promise<string> {
  return exchangeText(socket, encodeQuery(QUERY_NAME, 0x1234), complete);
}

/** The hex of the same query, for a `tcp-check send-binary` health check. */
export const QUERY_HEX = encodeQuery(QUERY_NAME, 0x4321).toString('hex');

/**
 * The cells of a peer that implements PROXY v2 only (Unbound, PowerDNS Recursor, dnsdist: their
 * documentation says so); `evidence` is what the peer does with a v1 line.
 */
export function v2Only(peer: string, evidence: string): Record<string, CellReport> {
  const report: CellReport = { outcome: 'unsupported', note: `${peer} implements PROXY v2 only (${evidence}); use send-proxy-v2` };
  return {
    'v1': report,
    'v1 IPv6 client': report,
    'v1 header split over two segments': report,
    'health check v1': report,
  };
}
