// SIGTERM/SIGINT: stop accepting, let running sessions finish (bounded by `hard-stop-after`
// or the default grace period), then exit 0. A second signal does not restart the sequence.
import process from 'node:process';

export function installStopSignals(onStop: () => void): () => void {
  let fired = false;
  const handler = (): void => {
    if (fired) return;
    fired = true;
    onStop();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.removeListener('SIGTERM', handler);
    process.removeListener('SIGINT', handler);
  };
}
