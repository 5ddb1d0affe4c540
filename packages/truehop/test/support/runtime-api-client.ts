// A runtime API client as `socat stdio <socket>` is: connect to a UNIX path or a loopback port,
// send the text, read until the daemon closes. Bounded in time.
import net from 'node:net';

export function cliConnect(target: string | number): net.Socket {
  return typeof target === 'number' ? net.connect(target, '127.0.0.1') : net.connect(target);
}

/** Sends `text` (and half-closes unless `keepOpen`), resolves with everything received until close. */
export function cliExchange(target: string | number, text: string | Buffer, timeoutMs = 5000, keepOpen = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = cliConnect(target);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms after ${JSON.stringify(text.toString().slice(0, 60))}; got ${JSON.stringify(Buffer.concat(chunks).toString().slice(0, 200))}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.on('connect', () => {
      socket.write(text);
      if (!keepOpen) socket.end();
    });
  });
}
