// Property tests: whatever the configuration says and whatever the peer sends, compiling
// reports diagnostics (never throws) and evaluating returns a sample or nothing (never throws,
// never loops: an ACL visits each TLV at most once).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { defineAcl } from '../acl/acl.js';
import { compileCondition } from '../acl/condition.js';
import type { Word } from '../text/source.js';
import type { Phase, SessionContext } from '../model/session.js';
import { compileTcpRuleLine, createCompileEnv } from '../../test/support/compile-env-fixture.js';
import { compileExpression, internalErrorCount } from './expression.js';
import { allConverters, allFetches } from './keyword.js';
import type { ArgSpec, ConverterDescriptor, FetchDescriptor } from './keyword.js';
import { compileLogFormat } from './log-format.js';
import { createSessionContext } from '../../test/support/session-fixture.js';
import type { Sample } from './types.js';
import './keywords.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const FETCHES = allFetches().map((f) => f.name);
const CONVERTERS = allConverters().map((c) => c.name);

const argText = fc.oneof(
  fc.constantFrom('', '0', '1', '-1', '4', '8', '0xEE', '238', 'CRC32C', 'CRC32', 'AUTHORITY', 'sess.x', 'txn.n', 'proc.p', '24', '64', ':', '_', 'utf8', 'utf8s', 'ms', 'true', '9999999999999999999', '00ff', '10.0.0.1', '::1'),
  fc.string({ maxLength: 6 }),
);
const call = (names: string[]): fc.Arbitrary<string> => fc.tuple(
  fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 5 })),
  fc.option(fc.array(argText, { maxLength: 4 }), { nil: undefined }),
).map(([name, args]) => (args === undefined ? name : `${name}(${args.join(',')})`));
const randomExpression = fc.tuple(call(FETCHES), fc.array(call(CONVERTERS), { maxLength: 5 })).map(([f, cs]) => [f, ...cs].join(','));

/** Arguments shaped by each descriptor, so most generated expressions compile and get evaluated. */
const NAMED_ARGS: Readonly<Record<string, readonly string[]>> = {
  'id|name': ['0xEE', '0xea', '238', '1', '2', 'AUTHORITY', 'ssl', 'CRC32C', '0xE0'],
  mask4: ['24', '255.255.0.0', '0'], mask6: ['64', '128', 'ffff::'], chunk_size: ['1', '2', '4', '8'], separator: ['', '-', ','],
  unit: ['s', 'ms', 'us'], version: ['4', '7'], 'input-code': ['ascii', 'utf8', 'utf8s', 'utf8p', 'utf8ps'], address: ['10.0.0.1', '2001:db8::1'],
  hex: ['', '00', '01c1450021'], bool: ['true', '0'], delimiters: ['_', ':/', '\\,'], index: ['1', '-1', '2', '-3'],
};
function typedArg(spec: ArgSpec): fc.Arbitrary<string> {
  const named = NAMED_ARGS[spec.name];
  if (named !== undefined) return fc.constantFrom(...named);
  const vars = fc.constantFrom('sess.x', 'txn.n', 'proc.p');
  const ints = fc.integer({ min: -2, max: 12 }).map(String);
  switch (spec.kind) {
    case 'int': return ints;
    case 'var': return vars;
    case 'int-or-var': return fc.oneof(ints, vars);
    default: return fc.oneof(fc.constantFrom('', 'a', 'eq', '01'), vars);
  }
}
function typedCall(d: FetchDescriptor | ConverterDescriptor): fc.Arbitrary<string> {
  if (d.args.length === 0) return fc.constant(d.name);
  return fc.tuple(...d.args.map(typedArg), fc.integer({ min: 0, max: d.args.length })).map((parts) => {
    const n = parts.pop() as number;
    const required = d.args.filter((a) => a.optional !== true).length;
    return `${d.name}(${(parts as string[]).slice(0, Math.max(n, required)).join(',')})`;
  });
}
const wellFormedExpression = fc.tuple(
  fc.oneof(...allFetches().map(typedCall)),
  fc.array(fc.oneof(...allConverters().map(typedCall)), { maxLength: 4 }),
).map(([f, cs]) => [f, ...cs].join(','));
const expressionText = fc.oneof({ arbitrary: wellFormedExpression, weight: 4 }, { arbitrary: randomExpression, weight: 1 });

const tlvArb = fc.record({
  type: fc.oneof(fc.constantFrom(0x01, 0x02, 0x03, 0x05, 0x20, 0x21, 0xe0, 0xea, 0xee), fc.integer({ min: 0, max: 255 })),
  value: fc.uint8Array({ maxLength: 24 }),
});
const sampleArb: fc.Arbitrary<Sample> = fc.oneof(
  fc.integer().map((value) => ({ type: 'int' as const, value })),
  fc.string().map((value) => ({ type: 'str' as const, value })),
  fc.uint8Array({ maxLength: 12 }).map((b) => ({ type: 'bin' as const, value: Buffer.from(b) })),
  fc.boolean().map((value) => ({ type: 'bool' as const, value })),
  fc.constantFrom<Sample>({ type: 'ipv4', value: '10.0.0.1' }, { type: 'ipv6', value: '2001:db8::1' }, { type: 'ipv4', value: 'garbage' }),
);
const contextArb = fc.record({
  tlvs: fc.array(tlvArb, { maxLength: 8 }),
  hasHeader: fc.boolean(),
  x: fc.option(sampleArb, { nil: undefined }),
  n: fc.option(sampleArb, { nil: undefined }),
  phase: fc.constantFrom<Phase>('connection', 'session', 'content', 'backend'),
  srcPort: fc.integer({ min: 0, max: 65535 }),
});

interface ContextInput {
  tlvs: { type: number; value: Uint8Array }[];
  hasHeader: boolean;
  x: Sample | undefined;
  n: Sample | undefined;
  phase: Phase;
  srcPort: number;
}

function makeContext(c: ContextInput): SessionContext {
  // Hand-made headers (not through the strict decoder) so the engine also meets odd TLVs.
  const ctx = createSessionContext({
    phase: c.phase,
    proxyHeader: c.hasHeader
      ? { version: 2, command: 'PROXY', family: 'INET', transport: 'STREAM', src: '192.0.2.1', srcPort: c.srcPort, dst: '192.0.2.2', dstPort: 443, tlvs: c.tlvs }
      : null,
  });
  if (c.x !== undefined) (ctx.vars ??= new Map()).set('sess.x', c.x);
  if (c.n !== undefined) (ctx.vars ??= new Map()).set('txn.n', c.n);
  return ctx;
}

const w = (text: string, col = 1): Word => ({ text, pos: { file: 'p.cfg', line: 1, col }, quoted: false });

function isValidSample(s: Sample | undefined): boolean {
  if (s === undefined) return true;
  switch (s.type) {
    case 'int': return Number.isSafeInteger(s.value);
    case 'bool': return typeof s.value === 'boolean';
    case 'bin': return Buffer.isBuffer(s.value);
    default: return typeof s.value === 'string';
  }
}

describe('properties', () => {
  it('random expressions compile to a closure or to alerts, and evaluate without throwing', { timeout: 120_000 }, () => {
    const before = internalErrorCount;
    let compiled = 0;
    fc.assert(fc.property(expressionText, contextArb, fc.constantFrom<Phase>('connection', 'session', 'content', 'backend'), (text, c, phase) => {
      const env = createCompileEnv(phase);
      const expr = compileExpression(w(text), env, { checkPhase: true });
      if (expr !== undefined) compiled++;
      if (expr === undefined) {
        assert.ok(env.diagnostics.hasAlerts, `no alert for a failed compile of ${text}`);
        return;
      }
      for (const d of env.diagnostics.items) assert.match(d.code, /^[A-Z_]+$/);
      const ctx = makeContext(c);
      assert.ok(isValidSample(expr.evaluate(ctx)), text);
      // Termination bound: a visitor that never accepts sees each value once, ≤ #TLVs (+1 single-valued).
      // Collected, then asserted: the walk turns a throwing visitor into "no match" (counted as
      // an internal error), so the assertion is clearer outside it.
      const visited: unknown[] = [];
      expr.matchAny((s) => {
        visited.push(s);
        return false;
      })(ctx);
      const visits = visited.length;
      for (const s of visited) assert.ok(isValidSample(s as Sample));
      assert.ok(visits <= Math.max(1, c.tlvs.length), `${text}: ${visits} visits for ${c.tlvs.length} TLVs`);
      // A second walk of the same context visits the same values (no state left behind).
      let again = 0;
      const test = expr.matchAny(() => {
        again++;
        return false;
      });
      assert.equal(test(ctx), false);
      assert.equal(again, visits, 'a second walk visits the same number of values');
    }), { numRuns: RUNS * 3 });
    assert.equal(internalErrorCount, before, 'a compiled closure threw internally');
    assert.ok(compiled > RUNS / 3, `only ${compiled} of ${RUNS * 3} generated expressions compiled: the generator is too wild`);
  });

  it('random ACL lines and conditions never throw, at compile or run time', { timeout: 120_000 }, () => {
    const flag = fc.constantFrom('-i', '-n', '-m', 'str', 'bin', 'int', 'ip', 'found', 'len', 'reg', 'beg', '--', '-f', 'eq', 'gt', 'le', '01', '0A', '10.0.0.0/8', '::1', '1:5', '(', '*', '-x');
    fc.assert(fc.property(expressionText, fc.array(fc.oneof(flag, fc.string({ maxLength: 4 })), { maxLength: 6 }), contextArb, (text, rest, c) => {
      const env = createCompileEnv('content');
      env.files.set('f', '# x\n01\n 10.0.0.1\n');
      const acl = defineAcl([w('a'), w(text), ...rest.filter((r) => r.length > 0).map((r) => w(r))], env);
      if (acl !== undefined) {
        env.acls.set('a', acl);
        assert.equal(typeof acl.test(makeContext(c)), 'boolean');
      }
      const cond = compileCondition(['if', '!', 'a', '||', '{', text, ...rest.filter((r) => r.length > 0 && r !== '}'), '}', 'TRUE'].map((t) => w(t)), env);
      if (cond !== undefined) assert.equal(typeof cond.test(makeContext(c)), 'boolean');
    }), { numRuns: RUNS });
  });

  it('random log-format strings compile or alert; rendering always gives bytes', { timeout: 120_000 }, () => {
    const before = internalErrorCount;
    const piece = fc.oneof(
      fc.constantFrom('%', '%%', '%[', ']', '%{+Q}', '%{+X}o', '%{+E,+Q}', '%ci', '%cp', '%ID', '%t', '%b', '%zz', '{', '}', ' ', '"'),
      expressionText.map((e) => `%[${e}]`),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 8 }), contextArb, (pieces, c) => {
      const env = createCompileEnv('backend');
      const fmt = compileLogFormat(w(pieces.join('')), env);
      if (fmt === undefined) assert.ok(env.diagnostics.hasAlerts);
      else assert.ok(Buffer.isBuffer(fmt.render(makeContext(c))));
    }), { numRuns: RUNS });
    assert.equal(internalErrorCount, before, 'a log format threw internally');
  });

  it('random tcp-request lines compile or alert; rules run to a verdict', { timeout: 120_000 }, () => {
    // The rule set word is the keyword's to check (routing.ts; the config property test feeds it).
    const head = fc.constantFrom('connection', 'session', 'content');
    const action = fc.constantFrom('accept', 'reject', 'expect-proxy', 'layer4', 'set-var(sess.x)', 'set-var(txn.y)', 'unset-var(sess.x)', 'set-var-fmt(sess.z)', 'track-sc0', '5s', 'if', 'unless', '{', '}', 'TRUE', '!');
    fc.assert(fc.property(head, fc.array(fc.oneof(action, expressionText), { maxLength: 7 }), contextArb, (h, rest, c) => {
      const env = createCompileEnv('content');
      const d = compileTcpRuleLine([h, ...rest].map((t) => w(t)), env);
      if (d === undefined) {
        assert.ok(env.diagnostics.hasAlerts);
        return;
      }
      const r = d.run(makeContext(c));
      assert.ok(['continue', 'accept', 'reject'].includes(r.verdict));
    }), { numRuns: RUNS });
  });
});
