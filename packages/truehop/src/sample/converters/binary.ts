// Converters on bytes (HAProxy src/sample.c): slicing, hex, base64, fixed-size integers and
// CRC32C. Results are views where possible (`bytes` slices, never copies: §4.12).
import { Buffer } from 'node:buffer';
import { crc32c } from '@truehop/proxy-protocol';
import { registerConverters } from '../keyword.js';
import type { ArgValue, CompileSite } from '../keyword.js';
import type { Sample } from '../types.js';
import { intReader } from './arg-values.js';

/**
 * HAProxy's full_hash(), used by `crc32c(1)`: Robert Jenkins' 32-bit integer mix, then a
 * multiplication by the prime 3221225473 (0xC0000001) modulo 2^32 (checked against HAProxy 2.6
 * by haproxy-runtime-differential.test.ts).
 */
function fullHash(input: number): number {
  let a = input >>> 0;
  a = (a + 0x7ed55d16 + (a << 12)) >>> 0;
  a = ((a ^ 0xc761c23c) ^ (a >>> 19)) >>> 0;
  a = (a + 0x165667b1 + (a << 5)) >>> 0;
  a = ((a + 0xd3a2646c) ^ (a << 9)) >>> 0;
  a = (a + 0xfd7046c5 + (a << 3)) >>> 0;
  a = ((a ^ 0xb55a4f09) ^ (a >>> 16)) >>> 0;
  return Math.imul(a, 0xc0000001) >>> 0;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const EMPTY = Buffer.alloc(0);

/**
 * Chunks of `size` bytes → unsigned decimal numbers joined by `sep` (HAProxy le2dec/be2dec).
 * Up to 6 bytes fit a JS number exactly; 7–8 byte chunks go through BigInt.
 */
function chunksToDecimal(buf: Buffer, sep: string, size: number, truncate: boolean, littleEndian: boolean): string {
  const parts: string[] = [];
  for (let at = 0; at < buf.length; at += size) {
    const n = Math.min(size, buf.length - at);
    if (n < size && truncate) break;
    if (n <= 6) {
      parts.push(String(littleEndian ? buf.readUIntLE(at, n) : buf.readUIntBE(at, n)));
    } else {
      let v = 0n;
      for (let i = 0; i < n; i++) {
        const byte = BigInt(buf[littleEndian ? at + n - 1 - i : at + i] as number);
        v = (v << 8n) | byte;
      }
      parts.push(v.toString(10));
    }
  }
  return parts.join(sep);
}

registerConverters([
  {
    name: 'bytes', syntax: 'bytes(<offset>[,<length>])', input: 'bin', output: 'bin',
    args: [{ name: 'offset', kind: 'int-or-var' }, { name: 'length', kind: 'int-or-var', optional: true }],
    summary: 'slice of the input from <offset> for <length> bytes (to the end when omitted); integers or variable names. Negative → fails; offset past the end → empty; length past the end → the rest (§4.12)',
    compile(args, site) {
      for (const a of args) {
        if (a.kind === 'int' && a.value < 0) {
          site.error(`offset and length must not be negative (got ${a.value})`);
          return undefined;
        }
      }
      // HAProxy refuses a constant length of 0 at load time (reg-tests/converter/bytes.vtc).
      if (args[1]?.kind === 'int' && args[1].value === 0) {
        site.error('length must be greater than 0');
        return undefined;
      }
      const offset = intReader(args[0]);
      const length = intReader(args[1], -1);
      const hasLength = args[1] !== undefined && args[1].kind !== 'none';
      return (sample, ctx) => {
        const buf = sample.value as Buffer;
        const start = offset(ctx);
        if (start === undefined || start < 0) return undefined;
        let len: number;
        if (hasLength) {
          const l = length(ctx);
          if (l === undefined || l < 0) return undefined;
          len = l;
        } else {
          len = buf.length;
        }
        if (start >= buf.length) return { type: 'bin', value: EMPTY };
        return { type: 'bin', value: buf.subarray(start, Math.min(buf.length, start + len)) };
      };
    },
  },
  {
    name: 'hex', syntax: 'hex', input: 'bin', output: 'str', args: [],
    summary: 'two UPPER-case hex digits per byte, no separator (01C1450021); a string input is cast to binary first',
    compile: () => (sample) => ({ type: 'str', value: (sample.value as Buffer).toString('hex').toUpperCase() }),
  },
  {
    name: 'hex2bin', syntax: 'hex2bin', input: 'str', output: 'bin', args: [],
    summary: 'bytes from a string of hex digit pairs; fails on anything else',
    compile: () => (sample) => {
      const s = sample.value as string;
      return HEX.test(s) ? { type: 'bin', value: Buffer.from(s, 'hex') } : undefined;
    },
  },
  {
    name: 'length', syntax: 'length', input: 'str', output: 'int', args: [],
    summary: 'length of the string in bytes (NUL bytes count)',
    compile: () => (sample) => ({ type: 'int', value: (sample.value as string).length }),
  },
  {
    name: 'base64', syntax: 'base64', input: 'bin', output: 'str', args: [],
    summary: 'base64 encoding of the input',
    compile: () => (sample) => ({ type: 'str', value: (sample.value as Buffer).toString('base64') }),
  },
  {
    name: 'b64dec', syntax: 'b64dec', input: 'str', output: 'bin', args: [],
    summary: 'bytes from base64 text (padded, length a multiple of 4); fails on anything else',
    compile: () => (sample) => {
      // Node's decoder skips invalid characters; HAProxy's fails. Check first so that garbage
      // never turns into bytes someone compares against.
      const s = sample.value as string;
      return BASE64.test(s) ? { type: 'bin', value: Buffer.from(s, 'base64') } : undefined;
    },
  },
  {
    name: 'crc32c', syntax: 'crc32c([<avalanche>])', input: 'bin', output: 'int',
    args: [{ name: 'avalanche', kind: 'int', optional: true }],
    summary: 'CRC-32C (Castagnoli) of the input as an unsigned integer, the checksum of the CRC32C TLV (§3.3); 1 applies an avalanche hash',
    compile(args) {
      const avalanche = args[0]?.kind === 'int' && args[0].value !== 0;
      return (sample) => {
        const crc = crc32c(sample.value as Buffer);
        return { type: 'int', value: avalanche ? fullHash(crc) : crc };
      };
    },
  },
  ...(['le2dec', 'be2dec'] as const).map((name) => ({
    name,
    syntax: `${name}(<separator>,<chunk_size>[,<truncate>])`,
    input: 'bin' as const,
    output: 'str' as const,
    args: [
      { name: 'separator', kind: 'str' as const },
      { name: 'chunk_size', kind: 'int' as const },
      { name: 'truncate', kind: 'int' as const, optional: true },
    ],
    summary: `${name === 'le2dec' ? 'little' : 'big'}-endian chunks of <chunk_size> (1-8) bytes → unsigned decimals joined by <separator>; <truncate> 1 drops a last partial chunk`,
    compile(args: readonly ArgValue[], site: CompileSite) {
      const sep = args[0]?.kind === 'str' ? args[0].value : '';
      const size = args[1]?.kind === 'int' ? args[1].value : 0;
      if (size < 1 || size > 8) {
        site.error(`chunk size must be 1 to 8 bytes (got ${size})`);
        return undefined;
      }
      const truncate = args[2]?.kind === 'int' && args[2].value !== 0;
      const little = name === 'le2dec';
      return (sample: Sample) => ({
        type: 'str' as const,
        value: chunksToDecimal(sample.value as Buffer, sep, size, truncate, little),
      });
    },
  })),
]);

