// Expected PROXY header bytes written out field by field from the spec (§1.6, §2.1–§2.3,
// §3.1), independently of the codec's encoder, so a test compares the daemon's output with
// the spec rather than with the code under test.
import net from 'node:net';

export const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');

export function v1(src: string, dst: string, sport: number, dport: number): Buffer {
  const proto = net.isIPv6(src) || net.isIPv6(dst) ? 'TCP6' : 'TCP4';
  return Buffer.from(`PROXY ${proto} ${src} ${dst} ${sport} ${dport}\r\n`, 'latin1');
}

function ipBytes(address: string, six: boolean): Buffer {
  if (!six) return Buffer.from(address.split('.').map(Number));
  const sa = new net.SocketAddress({ address: net.isIPv4(address) ? `::ffff:${address}` : address, family: 'ipv6' });
  // Expand the canonical text to 16 bytes.
  const text = sa.address;
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, ''];
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const b = g.split('.').map(Number);
        out.push(((b[0] as number) << 8) | (b[1] as number), ((b[2] as number) << 8) | (b[3] as number));
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = parse(head);
  const t = parse(tail);
  const groups = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const buf = Buffer.alloc(16);
  groups.forEach((g, i) => buf.writeUInt16BE(g, i * 2));
  return buf;
}

export interface TlvSpec {
  type: number;
  value: Buffer;
}

export function tlvBytes(tlvs: readonly TlvSpec[]): Buffer {
  return Buffer.concat(
    tlvs.map((t) => {
      const head = Buffer.alloc(3);
      head[0] = t.type;
      head.writeUInt16BE(t.value.length, 1);
      return Buffer.concat([head, t.value]);
    }),
  );
}

/** v2 PROXY header (0x21) for TCP over IPv4 (0x11) or IPv6/mixed (0x21). */
export function v2(src: string, dst: string, sport: number, dport: number, tlvs: readonly TlvSpec[] = []): Buffer {
  const six = net.isIPv6(src) || net.isIPv6(dst);
  const addr = Buffer.concat([ipBytes(src, six), ipBytes(dst, six)]);
  const ports = Buffer.alloc(4);
  ports.writeUInt16BE(sport, 0);
  ports.writeUInt16BE(dport, 2);
  const rest = Buffer.concat([addr, ports, tlvBytes(tlvs)]);
  const head = Buffer.from([0x21, six ? 0x21 : 0x11, 0, 0]);
  head.writeUInt16BE(rest.length, 2);
  return Buffer.concat([SIG, head, rest]);
}

/** Offset of the CRC32C value inside `header`, found by walking the TLVs. */
export function crcValueOffset(header: Buffer): number {
  const fam = header[13] as number;
  let off = 16 + (fam >> 4 === 1 ? 12 : fam >> 4 === 2 ? 36 : 0);
  while (off + 3 <= header.length) {
    const type = header[off] as number;
    const len = header.readUInt16BE(off + 1);
    if (type === 0x03) return off + 3;
    off += 3 + len;
  }
  return -1;
}
