// Micro-benchmark of the expression engine's hot path: the Azure rule of issue 5 run on a
// decoded PROXY header, as the data path runs it per connection.
//   tcp-request content set-var(sess.azure_vpcid) fc_pp_tlv(0xEE),bytes(1) if { fc_pp_tlv(0xEE),bytes(0,1),hex eq 01 }
// Build, then: node packages/truehop/dist/bench/expression.js
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { tlv } from '@truehop/proxy-protocol';
import { compileTcpRuleLine, createCompileEnv, words } from '../test/support/compile-env-fixture.js';
import { compileLogFormat } from '../src/sample/log-format.js';
import { v2Header } from '../test/support/header-fixture.js';
import { createSessionContext } from '../test/support/session-fixture.js';
import type { SessionContext } from '../src/model/session.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 1000);
const AZURE_RULE = 'content set-var(sess.azure_vpcid) fc_pp_tlv(0xEE),bytes(1) if { fc_pp_tlv(0xEE),bytes(0,1),hex eq 01 }';

function measure(name: string, fn: () => unknown): void {
  // Warm up so the JIT has compiled the closures, then count calls for DURATION_MS.
  for (let i = 0; i < 100_000; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(DURATION_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 10_000; i++) fn();
    ops += 10_000;
    now = process.hrtime.bigint();
  }
  const seconds = Number(now - start) / 1e9;
  const rate = ops / seconds;
  console.log(`${name.padEnd(58)} ${Math.round(rate).toLocaleString('en-US').padStart(14)} ops/s  ${(1e9 / rate).toFixed(0).padStart(6)} ns/op`);
}

const env = createCompileEnv('content');
const rule = compileTcpRuleLine(AZURE_RULE, env);
if (rule === undefined) throw new Error(`rule did not compile: ${JSON.stringify(env.diagnostics.items)}`);
const fmt = compileLogFormat(words('%[fc_pp_tlv(0xEE)]')[0] ?? { text: '', pos: { file: '', line: 1, col: 1 }, quoted: false }, createCompileEnv('backend'));
if (fmt === undefined) throw new Error('log format did not compile');

const matching = v2Header([tlv(0x02, 'example.com'), tlv(0xee, Buffer.from('01c1450021', 'hex'))]);
const notMatching = v2Header([tlv(0x02, 'example.com'), tlv(0xee, Buffer.from('02c1450021', 'hex'))]);
const ctxMatch: SessionContext = createSessionContext({ proxyHeader: matching });
const ctxMiss: SessionContext = createSessionContext({ proxyHeader: notMatching });

console.log(`node ${process.version}, ${DURATION_MS} ms per case`);
measure('Azure rule, subtype 0x01 (condition true + set-var)', () => rule.run(ctxMatch));
measure('Azure rule, subtype 0x02 (condition false)', () => rule.run(ctxMiss));
measure("log-format '%[fc_pp_tlv(0xEE)]' render (5 bytes)", () => fmt.render(ctxMatch));
