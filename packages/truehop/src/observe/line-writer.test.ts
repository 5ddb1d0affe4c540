import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FdLineWriter, StreamLineWriter } from './line-writer.js';
import type { LogLoss } from './line-writer.js';
import { createLogOutputs, openLogSink } from './log-sink.js';
import type { LogTarget } from '../model/config-model.js';

const POS = { file: 't', line: 1, col: 1 };
const newLoss = (): LogLoss => ({ logLinesDropped: 0, logLinesFailed: 0 });

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a full pipe never blocks write(): lines wait in the bounded queue and arrive in order once read', async () => {
  // A FIFO nobody reads yet: a synchronous writer (what process.stdout does for pipes and
  // files) would block the event loop as soon as the pipe buffer (64 KiB on Linux) is full.
  const dir = mkdtempSync(join(tmpdir(), 'truehop-log-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, 'r+'); // read-write: opening does not wait for a reader
  const loss = newLoss();
  const reports: string[] = [];
  const w = new FdLineWriter(fd, 'pipe', loss, (m) => reports.push(m));
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${String(i).padStart(5, '0')}\n`); // 240 kB
  const started = performance.now();
  for (const l of lines) w.write(l);
  assert.ok(performance.now() - started < 1000, 'write() returned without waiting for the pipe');
  // The event loop still turns while the pipe is full.
  await new Promise((r) => setTimeout(r, 20));
  const expected = lines.join('');
  // Now a reader drains it, asynchronously too; closing the writer's descriptor ends the stream.
  const reader = createReadStream(path);
  const chunks: Buffer[] = [];
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${total} of ${expected.length} bytes arrived`)), 10_000);
    reader.on('data', (c: string | Buffer) => {
      chunks.push(Buffer.from(c));
      total += c.length;
      if (total >= expected.length) {
        clearTimeout(timer);
        closeSync(fd);
      }
    });
    reader.on('end', () => resolve());
    reader.on('error', reject);
  });
  assert.equal(Buffer.concat(chunks).toString(), expected);
  assert.deepEqual(loss, { logLinesDropped: 0, logLinesFailed: 0 });
  assert.deepEqual(reports, []);
});

test('the queue is bounded: lines beyond it are dropped and counted, never buffered without limit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-log-'));
  const path = join(dir, 'out.log');
  const fd = openSync(path, 'w');
  try {
    const loss = newLoss();
    const w = new FdLineWriter(fd, 'file', loss, () => undefined, 100);
    for (let i = 0; i < 50; i++) w.write('123456789\n');
    // The first line is being written; at most 100 bytes (10 lines) wait behind it.
    assert.equal(loss.logLinesDropped, 50 - 1 - 10);
    await waitFor(() => readFileSync(path, 'utf8').length === 11 * 10, 'the kept lines');
  } finally {
    closeSync(fd);
  }
});

test('a failing descriptor is reported once and every lost line is counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'truehop-log-'));
  const path = join(dir, 'ro.log');
  writeFileSync(path, '');
  const fd = openSync(path, 'r'); // writing a read-only descriptor fails with EBADF
  try {
    const loss = newLoss();
    const reports: string[] = [];
    const w = new FdLineWriter(fd, 'stdout', loss, (m) => reports.push(m));
    for (let i = 0; i < 5; i++) w.write(`l${i}\n`);
    await waitFor(() => loss.logLinesFailed === 5, 'the failure');
    for (let i = 0; i < 3; i++) w.write('after\n');
    assert.equal(loss.logLinesFailed, 8);
    assert.equal(reports.length, 1);
    assert.match(reports[0] as string, /log target stdout failed \(EBADF\)/);
  } finally {
    closeSync(fd);
  }
});

test('a stream that does not drain is bounded by its buffer; a stream error is reported once on stderr and counted', async () => {
  const loss = newLoss();
  const stalled = new Writable({ write: () => undefined, highWaterMark: 16 }); // never calls back
  const w = new StreamLineWriter(stalled, 'stdout', loss, () => undefined, 1000);
  for (let i = 0; i < 200; i++) w.write('0123456789\n');
  assert.ok(loss.logLinesDropped > 0 && loss.logLinesDropped < 200, `dropped ${loss.logLinesDropped}`);
  assert.ok(stalled.writableLength <= 1000 + 11);

  const errors: string[] = [];
  const failing = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('gone'), { code: 'EPIPE' })) });
  const stderr = new Writable({ write: (c: Buffer, _e, cb) => { errors.push(c.toString()); cb(); } });
  const counters = newLoss();
  const outputs = createLogOutputs({ stdout: failing, stderr }, counters);
  const target: LogTarget = { kind: 'stdout', facility: 'local0', format: 'raw', pos: POS };
  const sink = openLogSink(target, outputs);
  sink.send('first', 6, Date.now());
  await waitFor(() => errors.length > 0, 'the report');
  for (let i = 0; i < 10; i++) sink.send('more', 6, Date.now());
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors.length, 1, 'reported once');
  assert.match(errors[0] as string, /log target stdout failed \(EPIPE\)/);
  assert.equal(counters.logLinesFailed, 11, 'the failed line and the ten after it');
});

test('flushed() resolves only once every queued line is in the file, so a stopping worker loses none', async () => {
  // A worker logs its last sessions and exits right after stop(): lines still in the
  // asynchronous queue at that moment would be lost (seen as a worker whose counter was ahead
  // of its access log). flushed() is what stop() awaits before the process may exit.
  const dir = mkdtempSync(join(tmpdir(), 'truehop-log-'));
  const path = join(dir, 'out.log');
  const fd = openSync(path, 'w');
  const w = new FdLineWriter(fd, 'file', newLoss(), () => {});
  const lines = Array.from({ length: 5_000 }, (_, i) => `session ${String(i).padStart(5, '0')} ended\n`);
  for (const l of lines) w.write(l);
  // Nothing is written synchronously: the first write is still on the thread pool.
  assert.ok(readFileSync(path, 'utf8').length < lines.join('').length, 'the writes are asynchronous');
  await w.flushed();
  assert.equal(readFileSync(path, 'utf8'), lines.join(''));
  closeSync(fd);
  // With nothing queued, flushed() resolves at once.
  await w.flushed();
});
