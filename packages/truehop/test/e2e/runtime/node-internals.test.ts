// TRUEHOP_NODE_INTERNALS=off switches client sockets to Node's public 'data' path, and both
// paths forward the same bytes. The variable is read once at start-up, so each case runs the
// daemon in its own process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CONFIG_DAEMON = fileURLToPath(new URL('../../support/config-daemon.js', import.meta.url));
const PEERS = fileURLToPath(new URL('../../support/peers.js', import.meta.url));

// Starts a daemon in front of a server that answers what it received, sends 200 KB through
// it (several reads, some past the private-buffer threshold) and prints what it saw.
const CHILD = `
import { daemonFromText } from ${JSON.stringify(CONFIG_DAEMON)};
import { connect, readAll, recordingServer } from ${JSON.stringify(PEERS)};
const rec = await recordingServer((c) => void c.ended.then(() => c.socket.end(c.bytes())), "127.0.0.1", true);
const d = await daemonFromText('defaults\\n  mode tcp\\n  timeout connect 2s\\n  timeout client 5s\\n  timeout server 5s\\n' +
  'frontend fe\\n  bind 127.0.0.1:0\\n  default_backend be\\nbackend be\\n  server s1 127.0.0.1:' + rec.port + '\\n');
const payload = Buffer.alloc(200 * 1024, 'truehop');
const c = await connect(d.port('fe'));
c.end(payload);
const back = await readAll(c);
await d.daemon.stop(100);
await rec.close();
process.stdout.write(JSON.stringify({ clientReads: d.daemon.clientReads, echoed: back.equals(payload) }));
`;

function runChild(env: NodeJS.ProcessEnv): Promise<{ clientReads: string; echoed: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', CHILD], { env, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as { clientReads: string; echoed: boolean });
    });
  });
}

describe('TRUEHOP_NODE_INTERNALS', () => {
  it('unset: client sockets read into reused buffers; =off: the public data path; same bytes either way', async () => {
    const env = { ...process.env };
    delete env['TRUEHOP_NODE_INTERNALS'];
    const fast = await runChild(env);
    const off = await runChild({ ...env, TRUEHOP_NODE_INTERNALS: 'off' });
    assert.deepEqual(fast, { clientReads: 'reused-buffers', echoed: true });
    assert.deepEqual(off, { clientReads: 'data-events', echoed: true });
  });
});
