// `npm run fuzz`: a long fuzz campaign against the codec (default 10 million inputs).
//   node packages/proxy-protocol/dist/fuzz/campaign.js [--runs N] [--seconds S] [--seed K]
//                                                      [--vectors FILE] [--input HEX] [--max-failures N]
// Inputs mix four sources: random bytes (some behind a v2 signature or "PROXY "), mutations of
// every vector in vectors.json and of headers accepted earlier in the run, structure-aware v2
// headers (listed and unlisted family bytes, right and wrong `len`, TLVs incl. CRC32C, SSL,
// UNIQUE_ID, vendor types) and structure-aware v1 lines (valid and subtly broken fields).
// Each input goes through fuzz/invariants.ts. The run stops at --runs inputs or --seconds,
// whichever comes first, prints what it ran and how the inputs were classified, and exits 1 on
// any invariant failure, printing the input's hex and the seed to reproduce it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SocketAddress } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32c, encode, PP2_SIGNATURE } from '../src/index.js';
import { checkInput, InvariantFailure } from './invariants.js';
import type { Outcome } from './invariants.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000000' },
    seconds: { type: 'string' },
    seed: { type: 'string' },
    vectors: { type: 'string' },
    input: { type: 'string' },
    'max-failures': { type: 'string', default: '30' },
  },
});

// ---------------------------------------------------------------- random source
/** sfc32: small, fast, good enough for fuzzing; seeded so every run can be replayed. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

const seed = args.seed === undefined ? (Date.now() ^ (process.pid << 16)) >>> 0 : Number(args.seed) >>> 0;
const rng = new Rng(seed);
const noise = (): number => rng.u32();

// ---------------------------------------------------------------- corpus
const SIGNATURE = Uint8Array.from(PP2_SIGNATURE);
const here = dirname(fileURLToPath(import.meta.url));

function findVectors(): string | undefined {
  if (args.vectors !== undefined) return args.vectors;
  // dist/fuzz → the package's test fixtures (data, not compiled).
  const path = join(here, '..', '..', 'test', 'fixtures', 'vectors.json');
  return existsSync(path) ? path : undefined;
}

const corpus: Uint8Array[] = [];
const vectorsPath = findVectors();
let vectorCount = 0;
if (vectorsPath !== undefined) {
  const vectors = JSON.parse(readFileSync(vectorsPath, 'utf8')) as { hex: string }[];
  for (const v of vectors) corpus.push(Uint8Array.from(Buffer.from(v.hex, 'hex')));
  vectorCount = vectors.length;
}
const FIXED_CORPUS = corpus.length;
const LEARNED_MAX = 4096; // accepted inputs kept for mutation (a ring, so memory stays bounded)
let learnedNext = 0;
function learn(input: Uint8Array): void {
  if (corpus.length < FIXED_CORPUS + LEARNED_MAX) corpus.push(input);
  else corpus[FIXED_CORPUS + (learnedNext++ % LEARNED_MAX)] = input;
}

// ---------------------------------------------------------------- generators
const concat = (...parts: Uint8Array[]): Uint8Array => {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const ascii = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));

function randomBytes(): Uint8Array {
  const body = rng.bytes(rng.int(rng.chance(0.1) ? 300 : 120));
  switch (rng.int(4)) {
    case 0: return body;
    case 1: return concat(SIGNATURE, body);
    case 2: return concat(ascii('PROXY '), body);
    default: return concat(SIGNATURE.subarray(0, rng.int(13)), body);
  }
}

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x0a, 0x0d, 0x11, 0x20, 0x21, 0x30, 0x31, 0x3a, 0x7f, 0x80, 0xe0, 0xea, 0xee, 0xff];
function mutated(): Uint8Array {
  let out: Uint8Array = Uint8Array.from(corpus.length === 0 ? randomBytes() : rng.pick(corpus));
  const ops = 1 + rng.int(rng.chance(0.2) ? 8 : 3);
  for (let k = 0; k < ops; k++) {
    const at = out.length === 0 ? 0 : rng.int(out.length);
    switch (rng.int(8)) {
      case 0: if (out.length > 0) out[at] = (out[at] as number) ^ (1 << rng.int(8)); break;
      case 1: if (out.length > 0) out[at] = rng.pick(INTERESTING); break;
      case 2: if (out.length > 0) out[at] = rng.u32() & 0xff; break;
      case 3: out = concat(out.subarray(0, at), Uint8Array.of(rng.u32() & 0xff), out.subarray(at)); break;
      case 4: out = concat(out.subarray(0, at), out.subarray(at + 1 + rng.int(4))); break;
      case 5: out = out.slice(0, at); break;
      case 6: { // duplicate a slice (repeated TLVs, doubled fields)
        const len = 1 + rng.int(12);
        out = concat(out.subarray(0, at), out.subarray(at, at + len), out.subarray(at)); break;
      }
      default: // the v2 length field, where most framing bugs live
        if (out.length >= 16 && out[0] === 0x0d) {
          const len = rng.pick([0, 1, 11, 12, 13, 35, 36, 37, 215, 216, 217, out.length - 16, out.length - 15, out.length - 17, 0xffff, rng.int(0x10000)]);
          out[14] = (len >>> 8) & 0xff;
          out[15] = len & 0xff;
        }
    }
  }
  return out;
}

const LISTED_FAMILIES = [0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32];
const BLOCK: Record<number, number> = { 0x00: 0, 0x11: 12, 0x12: 12, 0x21: 36, 0x22: 36, 0x31: 216, 0x32: 216 };

function tlvBytes(type: number, value: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(type, value.length >>> 8, value.length & 0xff), value);
}
function sslValue(): Uint8Array {
  const subs: Uint8Array[] = [Uint8Array.of(rng.int(8), 0, 0, 0, rng.chance(0.7) ? 0 : rng.int(256))];
  const n = rng.int(4);
  for (let i = 0; i < n; i++) subs.push(tlvBytes(0x21 + rng.int(9), rng.chance(0.8) ? ascii(rng.pick(['TLSv1.3', 'client.example', 'RSA2048', 'x'])) : rng.bytes(rng.int(8))));
  if (rng.chance(0.1)) subs.push(rng.bytes(1 + rng.int(2))); // stray bytes
  return concat(...subs);
}
function randomTlv(): Uint8Array {
  const type = rng.pick([0x01, 0x02, 0x04, 0x05, 0x05, 0x20, 0x20, 0x30, 0xe0, 0xea, 0xee, 0xf0, rng.u32() & 0xff]);
  let value: Uint8Array;
  if (type === 0x05 && rng.chance(0.3)) value = rng.bytes(rng.pick([127, 128, 129, 200]));
  else if (type === 0x20 && rng.chance(0.7)) value = sslValue();
  else if (type === 0xea && rng.chance(0.7)) value = concat(Uint8Array.of(1), ascii('vpce-08d2bf15fac5001c9'));
  else if (type === 0xee && rng.chance(0.7)) value = Uint8Array.of(1, 0xc1, 0x45, 0x00, 0x21);
  else if (type === 0xe0 && rng.chance(0.7)) value = rng.bytes(8);
  else value = rng.bytes(rng.int(rng.chance(0.05) ? 1100 : 24));
  return tlvBytes(type, value);
}

function structuredV2(): Uint8Array {
  const verCmd = rng.chance(0.9) ? rng.pick([0x20, 0x21, 0x21]) : rng.u32() & 0xff;
  const fam = rng.chance(0.9) ? rng.pick(LISTED_FAMILIES) : rng.u32() & 0xff;
  const blockSize = BLOCK[fam] ?? rng.pick([0, 12, 36]);
  let block: Uint8Array = rng.bytes(blockSize);
  if (blockSize === 216 && rng.chance(0.8)) {
    block = new Uint8Array(216);
    block.set(ascii('/run/a.sock'), 0);
    block.set(ascii('/run/b.sock').subarray(0, 108), 108);
    if (rng.chance(0.1)) block.fill(0x41, 108); // a path without its NUL
  }
  const tlvs: Uint8Array[] = [];
  const n = rng.int(rng.chance(0.1) ? 12 : 4);
  for (let i = 0; i < n; i++) tlvs.push(randomTlv());
  const withCrc = rng.chance(0.3);
  const crcAt = rng.int(tlvs.length + 1);
  if (withCrc) tlvs.splice(crcAt, 0, tlvBytes(0x03, new Uint8Array(rng.chance(0.95) ? 4 : rng.int(8))));
  const body = concat(block, ...tlvs);
  let len = body.length;
  if (rng.chance(0.15)) len = Math.max(0, Math.min(0xffff, len + rng.pick([-3, -2, -1, 1, 2, 3, rng.int(0x10000) - len])));
  const header = concat(SIGNATURE, Uint8Array.of(verCmd, fam, len >>> 8, len & 0xff), body);
  if (withCrc) {
    // Fill in the checksum over the finished header (§3.3), sometimes wrong or little-endian.
    let offset = 16 + block.length;
    for (let i = 0; i < crcAt; i++) offset += (tlvs[i] as Uint8Array).length;
    const valueAt = offset + 3;
    if (header[offset + 2] === 4 && valueAt + 4 <= header.length) {
      const view = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
      const sum = crc32c(header.subarray(0, Math.min(header.length, 16 + len)));
      const mode = rng.int(10);
      if (mode < 7) view.writeUInt32BE(sum, valueAt);
      else if (mode === 7) view.writeUInt32LE(sum, valueAt);
      else if (mode === 8) view.writeUInt32BE((sum ^ (1 << rng.int(32))) >>> 0, valueAt);
    }
  }
  const payload = rng.chance(0.5) ? rng.bytes(rng.int(20)) : new Uint8Array(0);
  const whole = concat(header, payload);
  return rng.chance(0.05) ? whole.slice(0, rng.int(whole.length + 1)) : whole;
}

function v4Text(): string {
  const octets = [rng.int(256), rng.int(256), rng.int(256), rng.int(256)];
  if (rng.chance(0.9)) return octets.join('.');
  switch (rng.int(5)) {
    case 0: return octets.map((o, i) => (i === 3 ? `0${o}` : String(o))).join('.');
    case 1: return `${octets.slice(0, 3).join('.')}.256`;
    case 2: return octets.slice(0, 3).join('.');
    case 3: return `${octets.join('.')}.1`;
    default: return '::1';
  }
}
function v6Text(): string {
  const groups = Array.from({ length: 8 }, () => (rng.chance(0.4) ? 0 : rng.chance(0.2) ? 0xffff : rng.int(0x10000)));
  if (rng.chance(0.9)) {
    switch (rng.int(5)) {
      case 0: return groups.map((g) => g.toString(16)).join(':');
      case 1: return groups.map((g) => g.toString(16).toUpperCase()).join(':');
      case 2: return groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
      case 3: return `::ffff:${rng.int(256)}.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`;
      default: return new SocketAddress({ address: groups.map((g) => g.toString(16)).join(':'), family: 'ipv6' }).address;
    }
  }
  return rng.pick([':::1', '1::2::3', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', '[::1]', '12345::', '1.2.3.4', ':1', '1:', '::ffff:1.2.3']);
}
function portText(): string {
  if (rng.chance(0.92)) return String(rng.int(65536));
  return rng.pick(['0443', '65536', '', '-1', '+80', '99999', '00']);
}
function structuredV1(): Uint8Array {
  const proto = rng.chance(0.9) ? rng.pick(['TCP4', 'TCP6', 'TCP4', 'TCP6', 'UNKNOWN']) : rng.pick(['TCP5', 'tcp4', 'UDP4', 'TCP', 'UNKNOWNX', '']);
  const sp = (): string => (rng.chance(0.97) ? ' ' : rng.pick(['  ', '\t', '']));
  let line: string;
  if (proto === 'UNKNOWN' && rng.chance(0.5)) {
    line = `PROXY${sp()}UNKNOWN${rng.chance(0.5) ? '' : ` ${'x'.repeat(rng.int(100))}`}`;
  } else {
    const addr = proto === 'TCP6' ? v6Text : proto === 'TCP4' ? v4Text : rng.chance(0.5) ? v4Text : v6Text;
    line = `PROXY${sp()}${proto}${sp()}${addr()}${sp()}${addr()}${sp()}${portText()}${sp()}${portText()}`;
    if (rng.chance(0.03)) line += ' extra';
  }
  const end = rng.chance(0.9) ? '\r\n' : rng.pick(['\n', '\r', '', '\r\r\n']);
  const payload = rng.chance(0.5) ? 'GET / HTTP/1.1\r\n\r\n'.slice(0, rng.int(19)) : '';
  const bytes = ascii(line + end + payload);
  return rng.chance(0.05) ? bytes.slice(0, rng.int(bytes.length + 1)) : bytes;
}

// Valid encodings from the codec itself seed the learned corpus.
for (let i = 0; i < 64; i++) {
  const h = { version: 2 as const, src: `10.0.${i}.1`, srcPort: 1000 + i, dst: '::1', dstPort: 443, tlvs: [{ type: 0x02, value: ascii('example.com') }, { type: 0xea, value: concat(Uint8Array.of(1), ascii('vpce-1')) }] };
  learn(encode(h, { crc32c: i % 2 === 0 }));
  learn(encode({ version: 1, src: `192.0.2.${i}`, srcPort: i, dst: '2001:db8::1', dstPort: 80 }));
}

// ---------------------------------------------------------------- main loop
type Source = 'random' | 'mutation' | 'v2' | 'v1';
const sources: { name: Source; weight: number; make: () => Uint8Array }[] = [
  { name: 'random', weight: 20, make: randomBytes },
  { name: 'mutation', weight: 40, make: mutated },
  { name: 'v2', weight: 20, make: structuredV2 },
  { name: 'v1', weight: 20, make: structuredV1 },
];
const totalWeight = sources.reduce((n, s) => n + s.weight, 0);

const counts = { accepted: 0, incomplete: 0, 'not-proxy': 0, rejected: 0 };
const rejectedBy = new Map<string, number>();
const bySource = new Map<Source, number>(sources.map((s) => [s.name, 0]));
const failures: { category: string; source: string; input: string; message: string }[] = [];
const failuresByCategory = new Map<string, number>();
/** Examples printed per failure category; the campaign goes on to look for other kinds. */
const EXAMPLES_PER_CATEGORY = 3;
const maxFailures = Number(args['max-failures']);

function record(outcome: Outcome): void {
  if (outcome.kind === 'complete') counts.accepted++;
  else if (outcome.kind === 'error') {
    counts.rejected++;
    rejectedBy.set(outcome.code, (rejectedBy.get(outcome.code) ?? 0) + 1);
  } else counts[outcome.kind]++;
}

function runOne(source: string, input: Uint8Array): Outcome | undefined {
  try {
    return checkInput(input, noise);
  } catch (error) {
    const category = error instanceof InvariantFailure ? error.category : 'checker-crash';
    const message = error instanceof InvariantFailure ? error.message : `checker crashed: ${error instanceof Error ? error.stack : String(error)}`;
    const seen = (failuresByCategory.get(category) ?? 0) + 1;
    failuresByCategory.set(category, seen);
    if (seen <= EXAMPLES_PER_CATEGORY) {
      const inputHex = Buffer.from(input).toString('hex');
      failures.push({ category, source, input: inputHex, message });
      console.error(`\nINVARIANT FAILURE [${category}] (${source}): ${message}\n  replay: --input ${inputHex}`);
    }
    return undefined;
  }
}

if (args.input !== undefined) {
  // Replay: the chunking and the replaced tail are random, so try the input many times (and
  // with the noise source forced to tiny chunks) to reproduce an order-dependent failure.
  const input = Uint8Array.from(Buffer.from(args.input, 'hex'));
  let outcome: Outcome | undefined;
  for (let attempt = 0; attempt < 256; attempt++) {
    outcome = runOne('replay', input);
    if (outcome === undefined) break;
  }
  console.log(outcome === undefined ? 'failed' : `ok (256 chunkings): ${outcome.kind === 'error' ? `rejected ${outcome.code}` : outcome.kind}`);
  process.exit(outcome === undefined ? 1 : 0);
}

const runs = Number(args.runs);
const deadline = args.seconds === undefined ? Infinity : Date.now() + Number(args.seconds) * 1000;
if (!Number.isSafeInteger(runs) || runs < 0) throw new Error(`--runs ${args.runs} is not a count`);
console.log(`fuzz: up to ${runs.toLocaleString('en-US')} inputs${args.seconds === undefined ? '' : ` or ${args.seconds} s`}, seed ${seed}, ` +
  `${vectorCount} vectors${vectorsPath === undefined ? ' (vectors.json not found: pass --vectors)' : ` from ${vectorsPath}`}`);

const started = Date.now();
let lastReport = started;
let ran = 0;
while (ran < runs && failures.length < maxFailures) { // maxFailures counts printed examples
  let roll = rng.int(totalWeight);
  let source = sources[0] as (typeof sources)[number];
  for (const s of sources) {
    if (roll < s.weight) { source = s; break; }
    roll -= s.weight;
  }
  const input = source.make();
  const outcome = runOne(source.name, input);
  ran++;
  bySource.set(source.name, (bySource.get(source.name) ?? 0) + 1);
  if (outcome !== undefined) {
    record(outcome);
    if (outcome.kind === 'complete' && rng.chance(0.01)) learn(input);
  }
  if ((ran & 0x3fff) === 0) {
    const now = Date.now();
    if (now >= deadline) break;
    if (now - lastReport >= 5000) {
      lastReport = now;
      const rate = Math.round(ran / ((now - started) / 1000));
      console.log(`  ${ran.toLocaleString('en-US')} inputs, ${rate.toLocaleString('en-US')}/s, accepted ${counts.accepted.toLocaleString('en-US')}, rejected ${counts.rejected.toLocaleString('en-US')}`);
    }
  }
}

const seconds = (Date.now() - started) / 1000;
const pct = (n: number): string => `${((100 * n) / Math.max(ran, 1)).toFixed(1)}%`;
console.log(`\nran ${ran.toLocaleString('en-US')} inputs in ${seconds.toFixed(1)} s (${Math.round(ran / seconds).toLocaleString('en-US')}/s), seed ${seed}`);
console.log(`  by source: ${[...bySource].map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`);
console.log(`  accepted    ${counts.accepted.toLocaleString('en-US').padStart(12)}  ${pct(counts.accepted)}`);
console.log(`  incomplete  ${counts.incomplete.toLocaleString('en-US').padStart(12)}  ${pct(counts.incomplete)}`);
console.log(`  not-proxy   ${counts['not-proxy'].toLocaleString('en-US').padStart(12)}  ${pct(counts['not-proxy'])}`);
console.log(`  rejected    ${counts.rejected.toLocaleString('en-US').padStart(12)}  ${pct(counts.rejected)}`);
for (const [code, n] of [...rejectedBy].sort((a, b) => b[1] - a[1])) console.log(`    ${code.padEnd(13)} ${n.toLocaleString('en-US').padStart(12)}`);
let failed = 0;
for (const n of failuresByCategory.values()) failed += n;
if (failed > 0) {
  console.error(`\n${failed.toLocaleString('en-US')} input(s) broke an invariant:`);
  for (const [category, n] of failuresByCategory) console.error(`  ${category.padEnd(28)} ${n.toLocaleString('en-US')}`);
  console.error(`first input: ${failures[0]?.input}`);
  process.exit(1);
}
console.log('\nno invariant failure');
