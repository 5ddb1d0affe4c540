// Starts the daemon from configuration text through the real loader (config → model → run),
// with the log output captured. `REC<n>` in the text is replaced by recording server ports.
import assert from 'node:assert/strict';
import { loadConfigText } from '../../src/config/load-config.js';
import { startDaemon, type RunningDaemon } from '../../src/runtime/run.js';
import { Capture } from './peers.js';

export interface ConfigDaemon {
  daemon: RunningDaemon;
  logs: Capture;
  port(frontend: string, bind?: number): number;
}

export async function daemonFromText(text: string): Promise<ConfigDaemon> {
  const loaded = loadConfigText([{ file: 'test.cfg', text }]);
  assert.equal(loaded.ok, true, JSON.stringify(loaded.diagnostics.filter((d) => d.severity === 'alert')));
  const logs = new Capture();
  const daemon = await startDaemon(loaded.model, { stdout: logs, stderr: logs });
  return {
    daemon,
    logs,
    port: (frontend, bind = 0) => daemon.listening.get(frontend)?.[bind]?.port as number,
  };
}
