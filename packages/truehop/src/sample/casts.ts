// The ONE cast matrix, HAProxy's sample_casts[from][to] (src/sample.c): which implicit
// conversions exist between sample types, and how each is done. A missing entry means the
// cast is impossible: at load time that is a diagnostic ("converter cannot be applied"), at
// run time the sample is dropped. Every cast is total and never throws: bad input → undefined.
import { Buffer } from 'node:buffer';
import { byteStringFromBytes, bytesFromByteString } from './byte-string.js';
import { embeddedIPv4, formatIPv4, formatIPv6, mappedIPv6, parseIPv4, parseIPv6 } from './ip-address.js';
import type { Sample, SampleType, StaticType } from './types.js';

type Cast = (sample: Sample) => Sample | undefined;

/** HAProxy ints are signed 64-bit; JS numbers are exact up to 2^53, so we saturate there. */
export const INT_MAX = Number.MAX_SAFE_INTEGER;
export const INT_MIN = Number.MIN_SAFE_INTEGER;

export function clampInt(n: number): number {
  if (Number.isNaN(n)) return 0;
  return n > INT_MAX ? INT_MAX : n < INT_MIN ? INT_MIN : Math.trunc(n);
}

/**
 * HAProxy read_int64: optional sign then decimal digits, stopping at the first other byte
 * ("12abc" → 12, "abc" → 0). An empty string does not convert.
 */
export function strToInt(s: string): number | undefined {
  if (s.length === 0) return undefined;
  let i = 0;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    i = 1;
  }
  let n = 0;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    if (n > INT_MAX) { n = INT_MAX; break; }
  }
  return neg ? -n : n;
}

function int64Bytes(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(BigInt(clampInt(n)));
  return out;
}

const toStrFromInt: Cast = (s) => ({ type: 'str', value: String(s.value) });
const v4ToBytes = (text: string): Buffer | undefined => {
  const v = parseIPv4(text);
  if (v === undefined) return undefined;
  const out = Buffer.alloc(4);
  out.writeUInt32BE(v);
  return out;
};

/** from → to → cast. `null`: same representation, nothing to do (HAProxy c_none). */
const SAMPLE_CASTS: Readonly<Record<SampleType, Partial<Record<SampleType, Cast | null>>>> = {
  bool: {
    bool: null,
    int: (s) => ({ type: 'int', value: s.value ? 1 : 0 }),
    str: (s) => ({ type: 'str', value: s.value ? '1' : '0' }),
    bin: (s) => ({ type: 'bin', value: int64Bytes(s.value ? 1 : 0) }),
  },
  int: {
    bool: (s) => ({ type: 'bool', value: s.value !== 0 }),
    int: null,
    ipv4: (s) => ({ type: 'ipv4', value: formatIPv4((s.value as number) >>> 0) }),
    ipv6: (s) => ({ type: 'ipv6', value: formatIPv6(mappedIPv6((s.value as number) >>> 0)) }),
    str: toStrFromInt,
    bin: (s) => ({ type: 'bin', value: int64Bytes(s.value as number) }),
  },
  ipv4: {
    int: (s) => {
      const v = parseIPv4(s.value as string);
      return v === undefined ? undefined : { type: 'int', value: v };
    },
    ipv4: null,
    ipv6: (s) => {
      const v = parseIPv4(s.value as string);
      return v === undefined ? undefined : { type: 'ipv6', value: formatIPv6(mappedIPv6(v)) };
    },
    str: (s) => ({ type: 'str', value: s.value as string }),
    bin: (s) => {
      const b = v4ToBytes(s.value as string);
      return b === undefined ? undefined : { type: 'bin', value: b };
    },
  },
  ipv6: {
    ipv4: (s) => {
      const bytes = parseIPv6(s.value as string);
      const v4 = bytes === undefined ? undefined : embeddedIPv4(bytes);
      return v4 === undefined ? undefined : { type: 'ipv4', value: formatIPv4(v4) };
    },
    ipv6: null,
    str: (s) => ({ type: 'str', value: s.value as string }),
    bin: (s) => {
      const bytes = parseIPv6(s.value as string);
      return bytes === undefined ? undefined : { type: 'bin', value: Buffer.from(bytes) };
    },
  },
  str: {
    bool: (s) => {
      const n = strToInt(s.value as string);
      return n === undefined ? undefined : { type: 'bool', value: n !== 0 };
    },
    int: (s) => {
      const n = strToInt(s.value as string);
      return n === undefined ? undefined : { type: 'int', value: n };
    },
    ipv4: (s) => {
      const v = parseIPv4(s.value as string);
      return v === undefined ? undefined : { type: 'ipv4', value: formatIPv4(v) };
    },
    ipv6: (s) => {
      const v = parseIPv6(s.value as string);
      return v === undefined ? undefined : { type: 'ipv6', value: formatIPv6(v) };
    },
    str: null,
    // Same bytes, binary type (HAProxy c_none): this is how `fc_pp_tlv(…),bytes(1)` keeps NULs.
    bin: (s) => ({ type: 'bin', value: (s.type === 'str' ? s.raw : undefined) ?? bytesFromByteString(s.value as string) }),
  },
  bin: {
    // HAProxy c_bin2str: a NUL byte ends the string. Kept for exact matching semantics;
    // log-format rendering does not cast (it writes binary samples as bytes, §4.14).
    str: (s) => {
      const b = s.value as Buffer;
      const nul = b.indexOf(0);
      return { type: 'str', value: byteStringFromBytes(nul === -1 ? b : b.subarray(0, nul)) };
    },
    bin: null,
  },
};

/** True when a value of static type `from` may feed something that takes `to` (load time). */
export function canCast(from: StaticType, to: StaticType): boolean {
  if (to === 'any' || from === 'any') return true;
  if (from === 'addr') return canCast('ipv4', to) || canCast('ipv6', to);
  if (to === 'addr') return canCast(from, 'ipv4') || canCast(from, 'ipv6');
  return SAMPLE_CASTS[from][to] !== undefined;
}

/**
 * Converts a sample to `to` (run time). `addr` accepts ipv4/ipv6 as they are and turns a
 * string into whichever family it parses as (HAProxy c_str2addr); `any` passes everything.
 */
export function castSample(sample: Sample, to: StaticType): Sample | undefined {
  if (to === 'any' || sample.type === to) return sample;
  if (to === 'addr') {
    if (sample.type === 'ipv4' || sample.type === 'ipv6') return sample;
    if (sample.type === 'str') return castSample(sample, 'ipv4') ?? castSample(sample, 'ipv6');
    const cast = SAMPLE_CASTS[sample.type].ipv4;
    return cast ? cast(sample) : undefined;
  }
  const cast = SAMPLE_CASTS[sample.type][to];
  if (cast === undefined) return undefined;
  return cast === null ? sample : cast(sample);
}

/** The matrix as a table, for the generated docs and for tests. */
export function describeCasts(): { from: SampleType; to: SampleType }[] {
  const out: { from: SampleType; to: SampleType }[] = [];
  for (const from of Object.keys(SAMPLE_CASTS) as SampleType[]) {
    for (const to of Object.keys(SAMPLE_CASTS[from]) as SampleType[]) out.push({ from, to });
  }
  return out;
}
