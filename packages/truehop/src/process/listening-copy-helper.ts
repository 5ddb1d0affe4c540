// The other end of listening-copy.ts: a short-lived child that sends every listening handle it
// receives straight back (so its parent gets a second descriptor of the same socket, opened by
// libuv from a received descriptor), then exits when the parent lets go of the channel. It
// never listens or accepts: the handle arrives as a bare libuv handle ('net.Native').
import process from 'node:process';

process.on('message', (message: unknown, handle: unknown) => {
  if (handle === undefined) return;
  process.send?.(message, handle as never, undefined, () => {
    (handle as { close?: () => void }).close?.();
  });
});
process.on('disconnect', () => process.exit(0));
