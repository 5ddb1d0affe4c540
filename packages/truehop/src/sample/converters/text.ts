// Converters on strings (HAProxy src/sample.c). Strings are byte strings (sample/byte-string.ts):
// case changes are ASCII-only like C's tolower/toupper, field/word cut on bytes.
import { asciiLower, asciiUpper } from '../byte-string.js';
import { registerConverters } from '../keyword.js';
import type { ArgValue, CompileSite, ConvertFn } from '../keyword.js';
import { strReader } from './arg-values.js';

/**
 * field/word extraction. Fields are the spans between delimiter bytes (`field`) or the
 * non-empty runs between them (`word`). A positive index counts from 1 at the start and takes
 * <count> fields forward; a negative one counts from -1 at the end and takes <count> fields
 * ending there; count 0 means "to the end" (resp. "from the start"). The original text between
 * the chosen spans is kept, delimiters included. Out of range → no sample (HAProxy's converter
 * fails, so `-m found` is false), unlike an existing empty field.
 */
function extract(s: string, delims: string, index: number, count: number, words: boolean): string | undefined {
  const starts: number[] = [];
  const ends: number[] = [];
  let begin = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || delims.includes(s[i] as string)) {
      if (!words || i > begin) {
        starts.push(begin);
        ends.push(i);
      }
      begin = i + 1;
    }
  }
  const n = starts.length;
  let first: number;
  let last: number;
  if (index > 0) {
    first = index - 1;
    if (first >= n) return undefined;
    last = count === 0 ? n - 1 : Math.min(n - 1, first + count - 1);
  } else {
    last = n + index;
    if (last < 0) return undefined;
    first = count === 0 ? 0 : Math.max(0, last - count + 1);
  }
  return s.slice(starts[first], ends[last]);
}

function fieldConverter(words: boolean) {
  return (args: readonly ArgValue[], site: CompileSite): ConvertFn | undefined => {
    const index = args[0]?.kind === 'int' ? args[0].value : 0;
    const delims = args[1]?.kind === 'str' ? args[1].value : '';
    const count = args[2]?.kind === 'int' ? args[2].value : 1;
    if (index === 0) {
      site.error('index must not be 0: fields count from 1 (or -1 from the end)');
      return undefined;
    }
    if (delims.length === 0) {
      site.error('at least one delimiter character is needed');
      return undefined;
    }
    if (count < 0) {
      site.error(`count must not be negative (got ${count})`);
      return undefined;
    }
    return (sample) => {
      const value = extract(sample.value as string, delims, index, count, words);
      return value === undefined ? undefined : { type: 'str', value };
    };
  };
}

const JSON_ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"', 0x5c: '\\\\', 0x2f: '\\/', 0x08: '\\b', 0x0c: '\\f', 0x0d: '\\r', 0x0a: '\\n', 0x09: '\\t',
};

type JsonMode = 'ascii' | 'utf8' | 'utf8s' | 'utf8p' | 'utf8ps';

/**
 * Decodes one UTF-8 sequence at `at`. status 'bad': not a UTF-8 sequence (length 1);
 * 'invalid': well-formed but an overlong form, a surrogate or beyond U+10FFFF.
 */
function utf8At(s: string, at: number): { cp: number; len: number; status: 'ok' | 'bad' | 'invalid' } {
  const b0 = s.charCodeAt(at);
  if (b0 < 0x80) return { cp: b0, len: 1, status: 'ok' };
  const len = b0 >= 0xf0 && b0 < 0xf8 ? 4 : b0 >= 0xe0 && b0 < 0xf0 ? 3 : b0 >= 0xc0 && b0 < 0xe0 ? 2 : 0;
  if (len === 0 || at + len > s.length) return { cp: b0, len: 1, status: 'bad' };
  let cp = b0 & (0xff >> (len + 1));
  for (let i = 1; i < len; i++) {
    const b = s.charCodeAt(at + i);
    if ((b & 0xc0) !== 0x80) return { cp: b0, len: 1, status: 'bad' };
    cp = (cp << 6) | (b & 0x3f);
  }
  const min = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
  const invalid = cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff);
  return { cp, len, status: invalid ? 'invalid' : 'ok' };
}

/**
 * HAProxy's json converter: the input escaped for the inside of a JSON string. In utf8 modes a
 * broken sequence fails the converter, or is dropped with the 's' suffix; an invalid code point
 * (overlong, surrogate, too large) fails too unless the 'p' suffix lets it through, escaped.
 */
function jsonEscape(s: string, mode: JsonMode): string | undefined {
  const skip = mode === 'utf8s' || mode === 'utf8ps';
  const permissive = mode === 'utf8p' || mode === 'utf8ps';
  let out = '';
  for (let i = 0; i < s.length;) {
    let cp = s.charCodeAt(i);
    let len = 1;
    if (mode !== 'ascii') {
      const d = utf8At(s, i);
      if (d.status === 'bad' || (d.status === 'invalid' && !permissive)) {
        if (!skip) return undefined;
        i += d.len;
        continue;
      }
      cp = d.cp;
      len = d.len;
    }
    const esc = JSON_ESCAPES[cp];
    if (esc !== undefined) out += esc;
    else if (cp < 0x20 || cp >= 0x7f) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += String.fromCharCode(cp);
    i += len;
  }
  return out;
}

registerConverters([
  {
    name: 'lower', syntax: 'lower', input: 'str', output: 'str', args: [],
    summary: 'ASCII letters to lower case', compile: () => (s) => ({ type: 'str', value: asciiLower(s.value as string) }),
  },
  {
    name: 'upper', syntax: 'upper', input: 'str', output: 'str', args: [],
    summary: 'ASCII letters to upper case', compile: () => (s) => ({ type: 'str', value: asciiUpper(s.value as string) }),
  },
  {
    name: 'field', syntax: 'field(<index>,<delimiters>[,<count>])', input: 'str', output: 'str',
    args: [{ name: 'index', kind: 'int' }, { name: 'delimiters', kind: 'str' }, { name: 'count', kind: 'int', optional: true }],
    summary: 'the <index>th field (from 1, or from the end when negative) split on any of <delimiters>; <count> fields (0 = all the rest); no sample when out of range',
    compile: fieldConverter(false),
  },
  {
    name: 'word', syntax: 'word(<index>,<delimiters>[,<count>])', input: 'str', output: 'str',
    args: [{ name: 'index', kind: 'int' }, { name: 'delimiters', kind: 'str' }, { name: 'count', kind: 'int', optional: true }],
    summary: 'like field, but runs of delimiters count as one (empty words are skipped)',
    compile: fieldConverter(true),
  },
  {
    name: 'concat', syntax: 'concat([<start>],[<var>],[<end>])', input: 'str', output: 'str',
    args: [{ name: 'start', kind: 'str', optional: true }, { name: 'var', kind: 'var', optional: true }, { name: 'end', kind: 'str', optional: true }],
    summary: 'the input followed by <start>, the value of variable <var> (if set) and <end>',
    compile(args) {
      const start = args[0]?.kind === 'str' ? args[0].value : '';
      const end = args[2]?.kind === 'str' ? args[2].value : '';
      const variable = strReader(args[1]);
      return (sample, ctx) => ({ type: 'str', value: (sample.value as string) + start + (variable(ctx) ?? '') + end });
    },
  },
  {
    name: 'json', syntax: 'json([<input-code>])', input: 'str', output: 'str',
    args: [{ name: 'input-code', kind: 'str', optional: true }],
    summary: "escapes the input for a JSON string: input-code ascii (default), utf8 (fails on bad UTF-8), utf8s (skips it), utf8p/utf8ps (pass invalid code points)",
    compile(args, site) {
      const mode = (args[0]?.kind === 'str' ? args[0].text : 'ascii') as JsonMode;
      if (!['ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps'].includes(mode)) {
        site.error(`input code '${mode}' is not ascii, utf8, utf8s, utf8p or utf8ps`);
        return undefined;
      }
      return (sample) => {
        const value = jsonEscape(sample.value as string, mode);
        return value === undefined ? undefined : { type: 'str', value };
      };
    },
  },
]);
