// One runtime API connection, HAProxy's CLI protocol: a line holds one or more commands
// separated by `;`; without `prompt` the connection closes after answering the first line
// (`echo "show stat" | socat stdio <socket>`); with `prompt` it stays open, answers each line
// and prints "> " until `quit` or EOF. Every answer ends with an empty line.
// What a client controls is bounded: the line length (a longer line closes the connection, as
// HAProxy does when its buffer fills), the idle time (`stats timeout`), and a line that never
// ends (EOF in the middle of a line answers nothing and closes). Bytes that are not a command
// are an unknown command, answered with HAProxy's text.
import type net from 'node:net';
import type { CliLevel } from '../model/config-model.js';
import { runCommand, splitCommands, type CliContext, type CliSession } from './commands.js';

/**
 * Longest command line accepted: HAProxy's buffer (tune.bufsize, 16 kB). A client that sends
 * more without a newline is closed: it is not a command, and buffering it is what a memory
 * exhaustion attempt wants.
 */
export const MAX_CLI_LINE_BYTES = 16 * 1024;

export function serveCliConnection(socket: net.Socket, level: CliLevel, ctx: CliContext, idleTimeoutMs: number): void {
  const session: CliSession = { level, interactive: false, quit: false };
  let pending = '';
  const lines: string[] = [];
  let busy = false;
  let ended = false;
  socket.on('error', () => socket.destroy());
  socket.setTimeout(idleTimeoutMs, () => socket.destroy());

  const finish = (): void => {
    if (!socket.destroyed) socket.end();
  };

  const runLines = async (): Promise<void> => {
    busy = true;
    while (lines.length > 0 && !socket.destroyed) {
      const line = lines.shift() as string;
      let out = '';
      for (const words of splitCommands(line)) {
        out += `${await runCommand(words, session, ctx)}\n`;
        if (session.quit) break;
      }
      if (session.quit) return finish();
      if (!session.interactive) {
        // A line answered outside prompt mode ends the connection, even if `prompt` was
        // toggled off on it.
        if (out !== '') socket.write(out);
        return finish();
      }
      socket.write(`${out === '' ? '\n' : out}> `);
    }
    busy = false;
    if (ended) finish();
  };

  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      lines.push(pending.slice(0, nl).replace(/\r$/, ''));
      pending = pending.slice(nl + 1);
    }
    if (pending.length > MAX_CLI_LINE_BYTES) {
      socket.destroy();
      return;
    }
    if (!busy && lines.length > 0) void runLines().catch(() => socket.destroy());
  });
  socket.on('end', () => {
    // A half-sent command (no newline before EOF) is not run.
    ended = true;
    pending = '';
    if (!busy && lines.length === 0) finish();
  });
}
