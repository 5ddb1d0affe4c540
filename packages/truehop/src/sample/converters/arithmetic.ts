// Integer converters (HAProxy src/sample.c arith_*). HAProxy works on signed 64-bit integers
// and saturates on overflow; truehop keeps JS safe integers and saturates at ±(2^53-1).
import { clampInt, INT_MAX } from '../casts.js';
import { registerConverters } from '../keyword.js';
import type { ArgValue, CompileSite, ConvertFn } from '../keyword.js';
import type { Sample } from '../types.js';
import { intReader } from './arg-values.js';

function isInt32(n: number): boolean {
  return (n | 0) === n;
}

function bitwise(a: number, b: number, op: 'and' | 'or' | 'xor'): number {
  if (isInt32(a) && isInt32(b)) return op === 'and' ? a & b : op === 'or' ? a | b : a ^ b;
  const x = BigInt(a);
  const y = BigInt(b);
  const r = BigInt.asIntN(64, op === 'and' ? x & y : op === 'or' ? x | y : x ^ y);
  return clampInt(Number(r));
}

const BINARY_OPS: Readonly<Record<string, { summary: string; apply: (a: number, b: number) => number }>> = {
  add: { summary: 'input + <value>', apply: (a, b) => clampInt(a + b) },
  sub: { summary: 'input - <value>', apply: (a, b) => clampInt(a - b) },
  mul: { summary: 'input × <value>', apply: (a, b) => clampInt(a * b) },
  // HAProxy: division by zero gives the largest integer, modulo by zero gives 0.
  div: { summary: 'input / <value>, truncated; the largest integer when <value> is 0', apply: (a, b) => (b === 0 ? INT_MAX : clampInt(a / b)) },
  mod: { summary: 'input modulo <value> (sign of the input); 0 when <value> is 0', apply: (a, b) => (b === 0 ? 0 : a % b) },
  and: { summary: 'bitwise AND', apply: (a, b) => bitwise(a, b, 'and') },
  or: { summary: 'bitwise OR', apply: (a, b) => bitwise(a, b, 'or') },
  xor: { summary: 'bitwise XOR', apply: (a, b) => bitwise(a, b, 'xor') },
};

function binaryOp(apply: (a: number, b: number) => number) {
  return (args: readonly ArgValue[], _site: CompileSite): ConvertFn => {
    const operand = intReader(args[0]);
    return (sample, ctx) => {
      const b = operand(ctx);
      // A variable that is unset or not an integer makes the converter fail, as in HAProxy.
      return b === undefined ? undefined : { type: 'int', value: apply(sample.value as number, b) };
    };
  };
}

function unary(fn: (n: number) => Sample) {
  return (): ConvertFn => (sample) => fn(sample.value as number);
}

registerConverters([
  ...Object.entries(BINARY_OPS).map(([name, op]) => ({
    name,
    syntax: `${name}(<value>)`,
    input: 'int' as const,
    output: 'int' as const,
    args: [{ name: 'value', kind: 'int-or-var' as const }],
    summary: `${op.summary}; <value> is an integer or a variable name`,
    compile: binaryOp(op.apply),
  })),
  { name: 'neg', syntax: 'neg', input: 'int', output: 'int', args: [], summary: 'the opposite of the input', compile: unary((n) => ({ type: 'int', value: clampInt(-n) })) },
  { name: 'cpl', syntax: 'cpl', input: 'int', output: 'int', args: [], summary: "bitwise complement (two's complement: -input - 1)", compile: unary((n) => ({ type: 'int', value: clampInt(-n - 1) })) },
  { name: 'not', syntax: 'not', input: 'int', output: 'bool', args: [], summary: 'true when the input is 0', compile: unary((n) => ({ type: 'bool', value: n === 0 })) },
  { name: 'bool', syntax: 'bool', input: 'int', output: 'bool', args: [], summary: 'true when the input is not 0', compile: unary((n) => ({ type: 'bool', value: n !== 0 })) },
  { name: 'odd', syntax: 'odd', input: 'int', output: 'bool', args: [], summary: 'true when the input is odd', compile: unary((n) => ({ type: 'bool', value: n % 2 !== 0 })) },
  { name: 'even', syntax: 'even', input: 'int', output: 'bool', args: [], summary: 'true when the input is even', compile: unary((n) => ({ type: 'bool', value: n % 2 === 0 })) },
]);
