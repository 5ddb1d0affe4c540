// `npm run bench:codec`: truehop's codec side by side with proxy-protocol-js and
// @balena/proxy-protocol-parser, in one process, on equal work (see docs/benchmarks.md).
//
// Equal work means: each contender's timed function takes the input bytes (a Buffer, as a
// socket hands them over) and produces what a receiver needs — the client address as text
// and its port, plus the VPC endpoint id where the case carries one. Any conversion a peer
// needs (bytes → string, address byte array → dotted text) is inside the timed function.
// A peer that cannot produce a required field is shown as "unable"; one that produces wrong
// bytes is shown but not counted for the ratio. Every contender's output is checked against
// the expected values before it is timed, so no contender is timed doing nothing.
//
// Method: a pool of distinct inputs (different addresses and ports) is cycled so no
// contender benefits from one cached input; each contender is warmed up, then timed for
// several rounds, contenders interleaved round by round so drift (other processes, CPU
// frequency) hits everyone alike; the median round is reported, and the ratio is the median of
// per-round ratios (truehop's round against the peer's round of the same pass).
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { decode, encode } from '../src/index.js';
import { readAuthority } from '../src/tlv.js';
import { awsVpceIdTlv, readAwsVpceId } from '../src/tlv/aws.js';

// ---------------------------------------------------------------- peers (CommonJS, untyped)
interface PpjsApi {
  V1ProxyProtocol: { parse(input: string): { source: { ipAddress: string; port: number } } };
  V1BinaryProxyProtocol: { parse(input: Uint8Array): { source: { ipAddress: string; port: number } } };
  V2ProxyProtocol: {
    new (command: number, transport: number, address: unknown, data?: Uint8Array): { build(): Uint8Array };
    parse(input: Uint8Array): { proxyAddress: { sourceAddress: { address: number[] }; sourcePort: number } };
  };
  IPv4ProxyAddress: new (src: unknown, srcPort: number, dst: unknown, dstPort: number) => unknown;
  IPv4Address: { createFrom(address: number[]): unknown };
  Command: { PROXY: number };
  TransportProtocol: { STREAM: number };
}
interface BalenaDetails { remoteAddress?: string; remotePort?: number }
interface BalenaApi {
  decode(buf: Buffer, validate?: boolean): BalenaDetails | null;
  v2_encode(details: { remoteFamily: string; remoteAddress: string; remotePort: number; localAddress: string; localPort: number }): Buffer;
}
const require = createRequire(import.meta.url);
const ppjs = require('proxy-protocol-js') as PpjsApi;
const balena = require('@balena/proxy-protocol-parser') as BalenaApi;

// ---------------------------------------------------------------- options
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    'round-ms': { type: 'string', default: '250' },
    'warmup-ms': { type: 'string', default: '400' },
    case: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(args.rounds);
const ROUND_MS = Number(args['round-ms']);
const WARMUP_MS = Number(args['warmup-ms']);
const TARGET_RATIO = 1.5;
const POOL_SIZE = 64; // a power of two: the timed loop indexes with `i & (POOL_SIZE - 1)`

// ---------------------------------------------------------------- inputs
interface Received { address: string; port: number; vpce?: string }
interface Expected { address: string; port: number; vpce?: string }
interface Sample { bytes: Buffer; expect: Expected }

const VPCE = 'vpce-08d2bf15fac5001c9';
const clientOf = (i: number): { address: string; port: number } => ({ address: `192.0.${2 + (i >> 5)}.${1 + ((i * 7) % 250)}`, port: 40000 + i * 13 });
const SERVER = { address: '198.51.100.7', port: 443 };

function pool(make: (i: number) => Sample): Sample[] {
  return Array.from({ length: POOL_SIZE }, (_, i) => make(i));
}

/** A v2 TCP4 header built by hand (not by the codec under test), optionally with TLV bytes. */
function v2Tcp4(client: { address: string; port: number }, tlvBytes: Buffer): Buffer {
  const head = Buffer.alloc(28);
  Buffer.from('0d0a0d0a000d0a515549540a', 'hex').copy(head, 0);
  head[12] = 0x21;
  head[13] = 0x11;
  head.writeUInt16BE(12 + tlvBytes.length, 14);
  client.address.split('.').forEach((octet, k) => { head[16 + k] = Number(octet); });
  SERVER.address.split('.').forEach((octet, k) => { head[20 + k] = Number(octet); });
  head.writeUInt16BE(client.port, 24);
  head.writeUInt16BE(SERVER.port, 26);
  return Buffer.concat([head, tlvBytes]);
}
function tlvBytes(type: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc(3 + value.length);
  out[0] = type;
  out.writeUInt16BE(value.length, 1);
  out.set(value, 3);
  return out;
}

const V1_POOL = pool((i) => {
  const c = clientOf(i);
  return { bytes: Buffer.from(`PROXY TCP4 ${c.address} ${SERVER.address} ${c.port} ${SERVER.port}\r\n`, 'latin1'), expect: c };
});
const AWS_POOL = pool((i) => {
  const c = clientOf(i);
  const aws = awsVpceIdTlv(VPCE);
  return { bytes: v2Tcp4(c, tlvBytes(aws.type, aws.value)), expect: { ...c, vpce: VPCE } };
});
// Real traffic through one NLB endpoint carries one VPCE id (the reader keeps the last id it
// decoded); this pool gives every header its own id, so that memo never hits.
const AWS_DISTINCT_POOL = pool((i) => {
  const c = clientOf(i);
  const id = `vpce-08d2bf15fac5${i.toString(16).padStart(5, '0')}`;
  const aws = awsVpceIdTlv(id);
  return { bytes: v2Tcp4(c, tlvBytes(aws.type, aws.value)), expect: { ...c, vpce: id } };
});
const V2_PLAIN_POOL = pool((i) => ({ bytes: v2Tcp4(clientOf(i), Buffer.alloc(0)), expect: clientOf(i) }));
// CRC32C case: TCP4 + AUTHORITY + CRC32C, the checksum computed by the codec's encoder over the
// finished header (§3.3); checkCrcPool() verifies it with an independent bitwise CRC-32C.
const CRC_POOL = pool((i) => {
  const c = clientOf(i);
  const bytes = encode(
    { version: 2, src: c.address, srcPort: c.port, dst: SERVER.address, dstPort: SERVER.port, tlvs: [{ type: 0x02, value: Buffer.from('example.com') }] },
    { crc32c: true },
  );
  return { bytes, expect: c };
});

// The same TCP4 + AUTHORITY header without the CRC32C TLV: no contender verifies anything there,
// so it is the like-for-like figure beside the CRC case, where only truehop verifies.
const AUTHORITY_POOL = pool((i) => {
  const c = clientOf(i);
  const bytes = encode({ version: 2, src: c.address, srcPort: c.port, dst: SERVER.address, dstPort: SERVER.port, tlvs: [{ type: 0x02, value: Buffer.from('example.com') }] });
  return { bytes, expect: c };
});

/** Bitwise CRC-32C (reflected 0x82F63B78), independent of the codec's table-driven one. */
function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function checkCrcPool(): void {
  for (const s of CRC_POOL) {
    const crcAt = s.bytes.length - 4; // the encoder appends the CRC32C TLV last
    if (s.bytes[crcAt - 3] !== 0x03) throw new Error('CRC pool: CRC32C TLV is not last');
    const zeroed = Buffer.from(s.bytes);
    zeroed.fill(0, crcAt);
    if (referenceCrc32c(zeroed) !== s.bytes.readUInt32BE(crcAt)) throw new Error('CRC pool: wrong checksum');
    // And truehop must really verify: one flipped address bit has to be rejected.
    const corrupted = Buffer.from(s.bytes);
    corrupted[16] = (corrupted[16] as number) ^ 1;
    let rejected = false;
    try { decode(corrupted); } catch { rejected = true; }
    if (!rejected) throw new Error('CRC pool: truehop accepted a corrupted header');
  }
}

// ---------------------------------------------------------------- contenders
type Decoder = (input: Buffer) => Received;
interface Contender<F> { name: string; run?: F; unable?: string; note?: string; wrong?: string }

const truehopDecode: Decoder = (input) => {
  const result = decode(input);
  if (result.status !== 'complete' || result.header.src === null || result.header.srcPort === null) throw new Error('truehop: no header');
  return { address: result.header.src, port: result.header.srcPort };
};
const truehopV2Aws: Decoder = (input) => {
  const result = decode(input);
  if (result.status !== 'complete' || result.header.src === null || result.header.srcPort === null) throw new Error('truehop: no header');
  const vpce = readAwsVpceId(result.header);
  if (vpce === undefined) throw new Error('truehop: no VPCE id');
  return { address: result.header.src, port: result.header.srcPort, vpce };
};
// Context for the CRC32C case: the same decode, then every TLV value read (their views are made
// on first read), and the AUTHORITY decoded to text. More work than the peers can do at all.
const truehopReadAllTlvs: Decoder = (input) => {
  const result = decode(input);
  if (result.status !== 'complete' || result.header.src === null || result.header.srcPort === null) throw new Error('truehop: no header');
  let bytes = 0;
  for (const t of result.header.tlvs) bytes += t.value.length;
  const authority = readAuthority(result.header);
  if (authority === undefined) throw new Error('truehop: no AUTHORITY');
  if (bytes !== 'example.com'.length + 4) throw new Error('truehop: wrong TLV values');
  // The AUTHORITY travels in the `vpce` slot so the harness's sink keeps it observable.
  return { address: result.header.src, port: result.header.srcPort, vpce: authority };
};
// proxy-protocol-js v1 offers two parsers: a regex over a string (we time the bytes → string
// conversion) and a byte-wise one. Both are measured; the faster counts as the peer.
const ppjsV1String: Decoder = (input) => {
  const parsed = ppjs.V1ProxyProtocol.parse(input.toString('latin1'));
  return { address: parsed.source.ipAddress, port: parsed.source.port };
};
const ppjsV1Bytes: Decoder = (input) => {
  const parsed = ppjs.V1BinaryProxyProtocol.parse(input);
  return { address: parsed.source.ipAddress, port: parsed.source.port };
};
// proxy-protocol-js v2 hands the source address back as a byte array: joining it to text is
// part of a receiver's work. Its TLVs come back as an opaque blob mixed with payload bytes.
const ppjsV2: Decoder = (input) => {
  const parsed = ppjs.V2ProxyProtocol.parse(input);
  const a = parsed.proxyAddress.sourceAddress.address;
  return { address: `${a[0]}.${a[1]}.${a[2]}.${a[3]}`, port: parsed.proxyAddress.sourcePort };
};
// @balena: validate = true (its signature/family checks on), the way a receiver would call it.
const balenaDecode: Decoder = (input) => {
  const details = balena.decode(input, true);
  if (details?.remoteAddress === undefined || details.remotePort === undefined) throw new Error('balena: no header');
  return { address: details.remoteAddress, port: details.remotePort };
};

type Encoder = (input: { src: string; srcPort: number; dst: string; dstPort: number }) => Uint8Array;
interface EncodeSample { input: { src: string; srcPort: number; dst: string; dstPort: number }; expect: Buffer }
const ENCODE_POOL: EncodeSample[] = Array.from({ length: POOL_SIZE }, (_, i) => {
  const c = clientOf(i);
  return { input: { src: c.address, srcPort: c.port, dst: SERVER.address, dstPort: SERVER.port }, expect: v2Tcp4(c, Buffer.alloc(0)) };
});
const truehopEncode: Encoder = (h) => encode({ version: 2, src: h.src, srcPort: h.srcPort, dst: h.dst, dstPort: h.dstPort });
const ipv4Octets = (text: string): number[] => text.split('.').map(Number);
const ppjsEncode: Encoder = (h) =>
  new ppjs.V2ProxyProtocol(
    ppjs.Command.PROXY,
    ppjs.TransportProtocol.STREAM,
    new ppjs.IPv4ProxyAddress(ppjs.IPv4Address.createFrom(ipv4Octets(h.src)), h.srcPort, ppjs.IPv4Address.createFrom(ipv4Octets(h.dst)), h.dstPort),
  ).build();
const balenaEncode: Encoder = (h) =>
  balena.v2_encode({ remoteFamily: 'IPv4', remoteAddress: h.src, remotePort: h.srcPort, localAddress: h.dst, localPort: h.dstPort });

// ---------------------------------------------------------------- harness
let sink = 0; // every result feeds it, so the optimiser cannot drop the work

/** Runs `step(i)` until `ms` elapsed; returns ops/s. The clock is read every 256 ops. */
function timeFor(step: (i: number) => number, ms: number): number {
  const budget = BigInt(Math.round(ms * 1e6));
  const start = process.hrtime.bigint();
  let ops = 0;
  let elapsed = 0n;
  do {
    for (let k = 0; k < 256; k++) sink += step(ops++);
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return ops / (Number(elapsed) / 1e9);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

interface Row { contender: string; opsPerSec?: number; min?: number; max?: number; note: string; counts: boolean }
interface CaseResult {
  name: string; rows: Row[]; truehop: number; bestPeer?: { name: string; opsPerSec: number }; ratio?: number; fallbackRatio?: string;
  /** A second figure printed beside the ratio (the CRC case: the same header where no one verifies). */
  alongside?: string;
}

function bench(steps: { name: string; step: (i: number) => number }[]): Map<string, number[]> {
  for (const s of steps) timeFor(s.step, WARMUP_MS);
  const results = new Map<string, number[]>(steps.map((s) => [s.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the start so no contender always runs first (or right after GC-heavy one).
    for (let k = 0; k < steps.length; k++) {
      const s = steps[(k + r) % steps.length] as (typeof steps)[number];
      results.get(s.name)?.push(timeFor(s.step, ROUND_MS));
    }
  }
  return results;
}

function checkDecoder(name: string, run: Decoder, samples: Sample[], wantVpce: boolean): void {
  for (const s of samples) {
    const got = run(s.bytes);
    if (got.address !== s.expect.address || got.port !== s.expect.port || (wantVpce && got.vpce !== s.expect.vpce)) {
      throw new Error(`${name} produced ${JSON.stringify(got)}, expected ${JSON.stringify(s.expect)}`);
    }
  }
}

function decodeCase(name: string, samples: Sample[], contenders: Contender<Decoder>[], wantVpce: boolean): CaseResult {
  const runnable = contenders.filter((c) => c.run !== undefined);
  for (const c of runnable) checkDecoder(`${name}: ${c.name}`, c.run as Decoder, samples, wantVpce && c.name === 'truehop');
  const steps = runnable.map((c) => {
    const run = c.run as Decoder;
    return { name: c.name, step: (i: number): number => { const r = run((samples[i & (POOL_SIZE - 1)] as Sample).bytes); return r.port + r.address.length + (r.vpce?.length ?? 0); } };
  });
  return summarise(name, contenders, bench(steps));
}

function encodeCase(name: string, contenders: Contender<Encoder>[]): CaseResult {
  const runnable = contenders.filter((c) => c.run !== undefined);
  for (const c of runnable) {
    const first = ENCODE_POOL[0] as EncodeSample;
    const out = Buffer.from((c.run as Encoder)(first.input));
    if (!out.equals(first.expect)) {
      if (c.wrong === undefined) throw new Error(`${name}: ${c.name} wrote ${out.toString('hex')}, expected ${first.expect.toString('hex')}`);
    } else if (c.wrong !== undefined) {
      throw new Error(`${name}: ${c.name} was expected to be wrong (${c.wrong}) but is correct: update the bench`);
    }
    for (const s of ENCODE_POOL) {
      const bytes = Buffer.from((c.run as Encoder)(s.input));
      if (c.wrong === undefined && !bytes.equals(s.expect)) throw new Error(`${name}: ${c.name} wrote wrong bytes for ${JSON.stringify(s.input)}`);
    }
  }
  const steps = runnable.map((c) => {
    const run = c.run as Encoder;
    return { name: c.name, step: (i: number): number => run((ENCODE_POOL[i & (POOL_SIZE - 1)] as EncodeSample).input).length };
  });
  return summarise(name, contenders, bench(steps));
}

function summarise(name: string, contenders: Contender<unknown>[], measured: Map<string, number[]>): CaseResult {
  const rows: Row[] = contenders.map((c) => {
    const runs = measured.get(c.name);
    if (runs === undefined || runs.length === 0) return { contender: c.name, note: c.unable ?? 'not run', counts: false };
    const notes = [c.wrong === undefined ? '' : `WRONG OUTPUT: ${c.wrong}`, c.note ?? ''].filter((n) => n !== '');
    return { contender: c.name, opsPerSec: median(runs), min: Math.min(...runs), max: Math.max(...runs), note: notes.join('; '), counts: c.wrong === undefined && c.unable === undefined };
  });
  const truehop = rows.find((r) => r.contender === 'truehop')?.opsPerSec ?? 0;
  const peers = rows.filter((r) => r.contender !== 'truehop' && r.counts && r.opsPerSec !== undefined);
  const best = peers.sort((a, b) => (b.opsPerSec ?? 0) - (a.opsPerSec ?? 0))[0];
  const result: CaseResult = { name, rows, truehop };
  if (best?.opsPerSec !== undefined) {
    result.bestPeer = { name: best.contender, opsPerSec: best.opsPerSec };
    // Paired ratio: truehop's round r against the peer's round r (run back to back), median
    // over rounds. On a shared machine whose load drifts, this is steadier than a ratio of
    // medians taken at different moments.
    const ours = measured.get('truehop') ?? [];
    const theirs = measured.get(best.contender) ?? [];
    const paired = ours.map((ops, r) => ops / (theirs[r] ?? Number.NaN)).filter((x) => Number.isFinite(x));
    result.ratio = paired.length > 0 ? median(paired) : truehop / best.opsPerSec;
  }
  return result;
}

// ---------------------------------------------------------------- cases
const NO_CRC = 'does not verify CRC32C (accepts a corrupted header)';
const cases: { id: string; run: () => CaseResult }[] = [
  {
    id: 'v1',
    run: () => decodeCase('decode v1 TCP4', V1_POOL, [
      { name: 'truehop', run: truehopDecode },
      { name: 'proxy-protocol-js (bytes)', run: ppjsV1Bytes },
      { name: 'proxy-protocol-js (string)', run: ppjsV1String, note: 'regex over latin1 text; address not validated' },
      { name: '@balena/proxy-protocol-parser', run: balenaDecode, note: 'split() over the text; address and port not validated' },
    ], false),
  },
  {
    id: 'aws',
    run: () => {
      const result = decodeCase('decode v2 TCP4 + AWS 0xEA', AWS_POOL, [
        { name: 'truehop', run: truehopV2Aws },
        { name: 'proxy-protocol-js', unable: 'unable: no TLV parsing (TLVs + payload returned as one opaque blob)' },
        { name: '@balena/proxy-protocol-parser', unable: 'unable: ignores TLVs' },
      ], true);
      // The peers cannot produce the VPCE id at all. For context only, time their address-only
      // decode of the same bytes (less work than truehop does here) and give that ratio too.
      const context = decodeCase('(context) same bytes, address only', AWS_POOL, [
        { name: 'truehop', run: truehopV2Aws },
        { name: 'proxy-protocol-js', run: ppjsV2, note: 'address only, no VPCE id' },
        { name: '@balena/proxy-protocol-parser', run: balenaDecode, note: 'address only, no VPCE id' },
      ], false);
      for (const row of context.rows) if (row.contender !== 'truehop') result.rows.push({ ...row, contender: `${row.contender} [addr only]`, counts: false });
      const distinct = decodeCase('(context) 64 distinct VPCE ids', AWS_DISTINCT_POOL, [{ name: 'truehop', run: truehopV2Aws }], true);
      result.rows.splice(1, 0, { ...(distinct.rows[0] as Row), contender: 'truehop [64 distinct ids]', note: 'every header a new id: the last-id memo never hits', counts: false });
      if (context.ratio !== undefined && context.bestPeer !== undefined) {
        result.fallbackRatio = `${context.ratio.toFixed(2)}x vs ${context.bestPeer.name} doing less (address only)`;
      }
      return result;
    },
  },
  {
    id: 'crc',
    run: () => {
      checkCrcPool();
      const result = decodeCase('decode v2 TCP4 + AUTHORITY + CRC32C', CRC_POOL, [
        { name: 'truehop', run: truehopDecode, note: 'verifies CRC32C and walks the TLVs' },
        { name: 'proxy-protocol-js', run: ppjsV2, note: NO_CRC },
        { name: '@balena/proxy-protocol-parser', run: balenaDecode, note: NO_CRC },
      ], false);
      const readAll = decodeCase('(context) every TLV value read', CRC_POOL, [{ name: 'truehop', run: truehopReadAllTlvs }], false);
      result.rows.splice(1, 0, { ...(readAll.rows[0] as Row), contender: 'truehop [reads every TLV value]', note: 'views made on first read, AUTHORITY as text', counts: false });
      // Equal work for the peers means not verifying: the same header without its CRC32C TLV,
      // every contender again. The gap between the two truehop rows is what verifying costs.
      const unverified = decodeCase('(context) no CRC32C TLV', AUTHORITY_POOL, [
        { name: 'truehop', run: truehopDecode, note: 'walks and checks the TLVs; nothing to verify' },
        { name: 'proxy-protocol-js', run: ppjsV2 },
        { name: '@balena/proxy-protocol-parser', run: balenaDecode },
      ], false);
      for (const row of unverified.rows) result.rows.push({ ...row, contender: `${row.contender} [no CRC32C TLV]`, counts: false });
      if (unverified.ratio !== undefined && unverified.bestPeer !== undefined) {
        result.alongside = `${unverified.ratio.toFixed(2)}x without the CRC32C TLV (nobody verifies)`;
      }
      return result;
    },
  },
  {
    id: 'v2',
    run: () => decodeCase('decode v2 TCP4 (no TLV)', V2_PLAIN_POOL, [
      { name: 'truehop', run: truehopDecode },
      { name: 'proxy-protocol-js', run: ppjsV2 },
      { name: '@balena/proxy-protocol-parser', run: balenaDecode },
    ], false),
  },
  {
    id: 'encode',
    run: () => encodeCase('encode v2 TCP4', [
      { name: 'truehop', run: truehopEncode },
      { name: 'proxy-protocol-js', run: ppjsEncode, note: 'address text → octets timed' },
      { name: '@balena/proxy-protocol-parser', run: balenaEncode, wrong: 'writes command LOCAL (0x20), not PROXY' },
    ]),
  },
];

// ---------------------------------------------------------------- report
const fmt = (ops: number | undefined): string => (ops === undefined ? '' : `${(ops / 1e6).toFixed(2)} M/s`);
const pad = (text: string, width: number): string => text.padEnd(width);

console.log(`node ${process.version}, ${ROUNDS} rounds × ${ROUND_MS} ms per contender after ${WARMUP_MS} ms warm-up; median reported\n`);
const results: CaseResult[] = [];
for (const c of cases) {
  if (args.case !== undefined && args.case !== c.id) continue;
  const result = c.run();
  results.push(result);
  console.log(result.name);
  for (const row of result.rows) {
    const spread = row.min === undefined ? '' : `(${(row.min / 1e6).toFixed(2)}–${((row.max ?? 0) / 1e6).toFixed(2)})`;
    console.log(`  ${pad(row.contender, 44)} ${pad(fmt(row.opsPerSec), 12)} ${pad(spread, 14)} ${row.note}`);
  }
  console.log('');
}

console.log(`${pad('case', 38)} ${pad('truehop', 12)} ${pad('fastest peer (equal work)', 44)} ratio (paired, median of rounds)`);
let met = 0;
let measuredCases = 0;
for (const r of results) {
  const peer = r.bestPeer === undefined ? 'unable (none can do this work)' : `${fmt(r.bestPeer.opsPerSec)} ${r.bestPeer.name}`;
  const ratio = r.ratio === undefined
    ? `n/a${r.fallbackRatio === undefined ? '' : `; ${r.fallbackRatio}`}`
    : `${r.ratio.toFixed(2)}x${r.alongside === undefined ? '' : `; ${r.alongside}`}`;
  console.log(`${pad(r.name, 38)} ${pad(fmt(r.truehop), 12)} ${pad(peer, 44)} ${ratio}`);
  if (r.ratio !== undefined) {
    measuredCases++;
    if (r.ratio >= TARGET_RATIO) met++;
  }
}
const below = results.filter((r) => r.ratio !== undefined && r.ratio < TARGET_RATIO).map((r) => `${r.name} ${(r.ratio ?? 0).toFixed(2)}x`);
console.log(
  `\nverdict: ${met}/${measuredCases} comparable cases meet the ≥ ${TARGET_RATIO}x target` +
    (below.length === 0 ? '.' : `; below target: ${below.join(', ')}.`),
);
if (args.json) console.log(JSON.stringify(results));
if (sink === -1) console.log('unreachable'); // keeps `sink` observable
