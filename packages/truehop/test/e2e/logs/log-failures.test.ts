// A log target that fails while the daemon runs: traffic keeps flowing, the failure is reported
// once on stderr, and every lost line is counted — never silent.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfigText } from '../../../src/config/load-config.js';
import { startDaemon, type RunningDaemon } from '../../../src/runtime/run.js';
import { Capture, connect, readAll, recordingServer, waitFor, type RecordingServer } from '../../support/peers.js';

let daemon: RunningDaemon | undefined;
let rec: RecordingServer | undefined;
after(async () => {
  await daemon?.stop(100);
  await rec?.close();
});

it('a failing stdout log target is reported once and its lines counted; sessions still forward', async () => {
  rec = await recordingServer((c) => c.socket.end('hello'));
  const loaded = loadConfigText([{ file: 't.cfg', text:
    'global\n  log stdout format raw local0\ndefaults\n  mode tcp\n  log global\n  option tcplog\n' +
    '  timeout connect 2s\n  timeout client 5s\n  timeout server 5s\n' +
    `frontend fe\n  bind 127.0.0.1:0\n  default_backend be\nbackend be\n  server s1 127.0.0.1:${rec.port}\n` }]);
  assert.equal(loaded.ok, true);
  const brokenStdout = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('reader gone'), { code: 'EPIPE' })) });
  const stderr = new Capture();
  daemon = await startDaemon(loaded.model, { stdout: brokenStdout, stderr });
  const port = daemon.listening.get('fe')?.[0]?.port as number;
  for (let i = 0; i < 3; i++) {
    const c = await connect(port);
    assert.equal((await readAll(c)).toString(), 'hello', 'the session is forwarded');
    c.end();
  }
  const running = daemon;
  await waitFor(() => running.counters.logLinesFailed === 3, 3000, 'three lost lines counted');
  const reports = stderr.lines().filter((l) => l.includes('log target stdout failed'));
  assert.equal(reports.length, 1, stderr.lines().join('\n'));
  assert.match(reports[0] as string, /EPIPE/);
});
