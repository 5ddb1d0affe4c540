// ACL match methods (HAProxy src/pattern.c): how a sample is compared with the patterns of an
// ACL line. Patterns are compiled once into sets, ranges, regexes or a net.BlockList; matching
// a sample is then a lookup. The sample is first cast to the type the method works on.
import { Buffer } from 'node:buffer';
import { BlockList } from 'node:net';
import { asciiLower, byteStringFromText } from '../sample/byte-string.js';
import { embeddedIPv4, formatIPv4, formatIPv6, ipv4MaskBits, mappedIPv6, parseIPv4, parseIPv6 } from '../sample/ip-address.js';
import type { Sample, StaticType } from '../sample/types.js';

export type MatchMethodName = 'found' | 'bool' | 'int' | 'ip' | 'bin' | 'len' | 'str' | 'beg' | 'end' | 'sub' | 'reg' | 'dir' | 'dom';

export const MATCH_METHODS: readonly MatchMethodName[] = ['found', 'bool', 'int', 'ip', 'bin', 'len', 'str', 'beg', 'end', 'sub', 'reg', 'dir', 'dom'];

/** Integer comparison operators; HAProxy recognises them only for integer patterns (int, len). */
export const INT_OPERATORS = ['eq', 'ge', 'gt', 'le', 'lt'] as const;
export type IntOperator = (typeof INT_OPERATORS)[number];

export function isIntOperator(word: string): word is IntOperator {
  return (INT_OPERATORS as readonly string[]).includes(word);
}

export type Matcher = (sample: Sample) => boolean;

export interface MatchSpec {
  readonly method: MatchMethodName;
  readonly ignoreCase: boolean;
  readonly operator: IntOperator | undefined;
  readonly patterns: readonly string[];
}

/** A pattern that does not parse: reported by the caller with the pattern's position. */
export interface PatternError {
  readonly index: number;
  readonly message: string;
}

export const METHOD_TAKES_PATTERNS: Readonly<Record<MatchMethodName, boolean>> = {
  found: false, bool: false, int: true, ip: true, bin: true, len: true, str: true, beg: true, end: true, sub: true, reg: true, dir: true, dom: true,
};

export function methodAllowsOperators(method: MatchMethodName): boolean {
  return method === 'int' || method === 'len';
}

/** Default method from the expression's output type, as HAProxy acl.c does; undefined = `-m` required. */
export function defaultMethod(type: StaticType): MatchMethodName | undefined {
  switch (type) {
    case 'bool': return 'bool';
    case 'int': return 'int';
    case 'ipv4':
    case 'ipv6':
    case 'addr': return 'ip';
    case 'str': return 'str';
    default: return undefined; // bin, any: "matching method must be specified first (using '-m')"
  }
}

/** The type the sample is cast to before matching. */
const METHOD_INPUT: Readonly<Record<MatchMethodName, StaticType>> = {
  found: 'any', bool: 'bool', int: 'int', ip: 'addr', bin: 'bin', len: 'str', str: 'str', beg: 'str', end: 'str', sub: 'str', reg: 'str', dir: 'str', dom: 'str',
};

export function methodInput(method: MatchMethodName): StaticType {
  return METHOD_INPUT[method];
}

type Range = readonly [number, number];

function parseIntPattern(text: string, operator: IntOperator | undefined): Range | string {
  const int = (t: string): number | undefined => (/^[+-]?\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined);
  if (operator !== undefined) {
    const v = int(text);
    if (v === undefined) return `'${text}' is not an integer`;
    switch (operator) {
      case 'eq': return [v, v];
      case 'ge': return [v, Infinity];
      case 'gt': return [v + 1, Infinity];
      case 'le': return [-Infinity, v];
      case 'lt': return [-Infinity, v - 1];
    }
  }
  const colon = text.indexOf(':');
  if (colon === -1) {
    const v = int(text);
    return v === undefined ? `'${text}' is not an integer or a range <min>:<max>` : [v, v];
  }
  const lo = text.slice(0, colon);
  const hi = text.slice(colon + 1);
  const min = lo === '' ? -Infinity : int(lo);
  const max = hi === '' ? Infinity : int(hi);
  if (min === undefined || max === undefined || (lo === '' && hi === '')) return `'${text}' is not an integer range <min>:<max>`;
  return [min, max];
}

function inRanges(ranges: readonly Range[], n: number): boolean {
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i] as Range;
    if (n >= r[0] && n <= r[1]) return true;
  }
  return false;
}

/** IPv4 / IPv6 pattern with optional /bits or dotted mask → BlockList entries. */
function addIpPattern(list4: BlockList, list6: BlockList, text: string): string | undefined {
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  const maskText = slash === -1 ? undefined : text.slice(slash + 1);
  const v4 = parseIPv4(addr);
  if (v4 !== undefined) {
    let bits = 32;
    if (maskText !== undefined) {
      const b = /^\d{1,2}$/.test(maskText) ? Number(maskText) : ipv4MaskBits(parseIPv4(maskText) ?? -1);
      if (b === undefined || b > 32) return `'${text}': '${maskText}' is not an IPv4 mask`;
      bits = b;
    }
    list4.addSubnet(formatIPv4(v4), bits, 'ipv4');
    return undefined;
  }
  const v6 = parseIPv6(addr);
  if (v6 !== undefined) {
    let bits = 128;
    if (maskText !== undefined) {
      if (!/^\d{1,3}$/.test(maskText) || Number(maskText) > 128) return `'${text}': '${maskText}' is not an IPv6 prefix length`;
      bits = Number(maskText);
    }
    list6.addSubnet(formatIPv6(v6), bits, 'ipv6');
    return undefined;
  }
  // HAProxy resolves host names here at load time; truehop never does (a DNS answer at start-up
  // would silently decide who is trusted), so a name is an error.
  return `'${text}' is not an IPv4 or IPv6 address or network (host names are not resolved in ACL patterns)`;
}

function delimitedMatch(sample: string, pattern: string, delimiters: string): boolean {
  if (pattern.length === 0) return false;
  let from = 0;
  for (;;) {
    const at = sample.indexOf(pattern, from);
    if (at === -1) return false;
    const before = at === 0 || delimiters.includes(sample[at - 1] as string);
    const end = at + pattern.length;
    const after = end === sample.length || delimiters.includes(sample[end] as string);
    if (before && after) return true;
    from = at + 1;
  }
}

/**
 * Compiles patterns into a matcher over an already-cast sample. Pattern errors are returned
 * (all of them), not thrown. Patterns are config text: UTF-8, turned into byte strings once.
 */
export function compileMatcher(spec: MatchSpec): { matcher: Matcher; errors: PatternError[] } {
  const errors: PatternError[] = [];
  const fold = spec.ignoreCase ? asciiLower : (s: string): string => s;
  const texts = spec.patterns.map((p) => fold(byteStringFromText(p)));
  const str = (s: Sample): string => fold(s.value as string);
  switch (spec.method) {
    case 'found':
      return { matcher: () => true, errors };
    case 'bool':
      return { matcher: (s) => s.value === true, errors };
    case 'int':
    case 'len': {
      const ranges: Range[] = [];
      spec.patterns.forEach((p, index) => {
        const r = parseIntPattern(p, spec.operator);
        if (typeof r === 'string') errors.push({ index, message: r });
        else ranges.push(r);
      });
      const matcher: Matcher = spec.method === 'int'
        ? (s) => inRanges(ranges, s.value as number)
        : (s) => inRanges(ranges, (s.value as string).length);
      return { matcher, errors };
    }
    case 'ip': {
      const list4 = new BlockList();
      const list6 = new BlockList();
      let has4 = false;
      let has6 = false;
      spec.patterns.forEach((p, index) => {
        const message = addIpPattern(list4, list6, p);
        if (message !== undefined) errors.push({ index, message });
        else if (parseIPv4(p.split('/')[0] ?? '') !== undefined) has4 = true;
        else has6 = true;
      });
      // As HAProxy pat_match_ip: an IPv4 sample also tries IPv6 patterns through its mapped
      // form; an IPv6 sample that embeds an IPv4 (::ffff:a.b.c.d, 6to4) also tries IPv4 ones.
      const matcher: Matcher = (s) => {
        if (s.type === 'ipv4') {
          if (has4 && list4.check(s.value, 'ipv4')) return true;
          if (!has6) return false;
          const v = parseIPv4(s.value);
          return v !== undefined && list6.check(formatIPv6(mappedIPv6(v)), 'ipv6');
        }
        if (s.type !== 'ipv6') return false;
        if (has6 && list6.check(s.value, 'ipv6')) return true;
        if (!has4) return false;
        const bytes = parseIPv6(s.value);
        const v4 = bytes === undefined ? undefined : embeddedIPv4(bytes);
        return v4 !== undefined && list4.check(formatIPv4(v4), 'ipv4');
      };
      return { matcher, errors };
    }
    case 'bin': {
      const wanted: Buffer[] = [];
      spec.patterns.forEach((p, index) => {
        if (!/^(?:[0-9a-fA-F]{2})*$/.test(p)) errors.push({ index, message: `'${p}' is not an even number of hex digits` });
        else wanted.push(Buffer.from(p, 'hex'));
      });
      return {
        matcher: (s) => {
          const b = s.value as Buffer;
          for (let i = 0; i < wanted.length; i++) if ((wanted[i] as Buffer).equals(b)) return true;
          return false;
        },
        errors,
      };
    }
    case 'str': {
      // Exact, case-sensitive unless -i (HAProxy pat_match_str): a Set lookup.
      const set = new Set(texts);
      return { matcher: (s) => set.has(str(s)), errors };
    }
    case 'beg':
      return { matcher: (s) => { const v = str(s); return texts.some((p) => v.startsWith(p)); }, errors };
    case 'end':
      return { matcher: (s) => { const v = str(s); return texts.some((p) => v.endsWith(p)); }, errors };
    case 'sub':
      return { matcher: (s) => { const v = str(s); return texts.some((p) => v.includes(p)); }, errors };
    case 'dir':
      return { matcher: (s) => { const v = str(s); return texts.some((p) => delimitedMatch(v, p, '/?')); }, errors };
    case 'dom':
      return { matcher: (s) => { const v = str(s); return texts.some((p) => delimitedMatch(v, p, '/?.:')); }, errors };
    case 'reg': {
      const regs: RegExp[] = [];
      spec.patterns.forEach((p, index) => {
        try {
          regs.push(new RegExp(p, spec.ignoreCase ? 'i' : ''));
        } catch (e) {
          errors.push({ index, message: `'${p}' is not a valid regular expression: ${(e as Error).message}` });
        }
      });
      return { matcher: (s) => { const v = s.value as string; return regs.some((r) => r.test(v)); }, errors };
    }
  }
}
