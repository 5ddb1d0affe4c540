#!/usr/bin/env node
// The truehop command line, HAProxy-style:
//   truehop -c -f <file> [-f <file>…]   check mode: diagnostics, then "Configuration file is valid"
//   truehop -f <file> [-f <file>…]      run the daemon with that configuration
//   truehop --demo                      a self-contained demo on loopback
// Exit status: 0 valid / stopped cleanly, 1 invalid configuration or runtime failure,
// 2 usage error.
// First import: from here on no operator signal kills the process or opens the inspector.
import process from 'node:process';
import '../process/signal-guard.js';
// Then the V8 memory settings, before the heap grows (process/memory-flags.ts).
import '../process/memory-flags.js';
import { realpathSync } from 'node:fs';
import { TRUEHOP_VERSION } from '../version.js';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { formatDiagnostic } from '../text/diagnostics.js';
import { isDaemonChild } from '../process/daemonize.js';

const USAGE = `Usage: truehop -f <file> [-f <file>…]        run with this configuration
       truehop -c -f <file> [-f <file>…]     check the configuration and exit
       truehop --demo                        run a self-contained demo on loopback
Options:
  -f, --file <path>   configuration file or directory of *.cfg files (repeatable, read in order)
  -c, --check         check mode: print every problem as file:line:col: alert|warning: message [CODE]
  -W                  master-worker mode: a master starts 'nbthread' workers, restarts them, reloads on SIGUSR2
  -D                  daemon mode: start in the background, return once it accepts connections
  -p <pidfile>        write the pid to signal (the master with -W) to this file
  -v, --version       print the version
  -h, --help          print this help
`;

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;


export async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        file: { type: 'string', short: 'f', multiple: true },
        check: { type: 'boolean', short: 'c' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
        demo: { type: 'boolean' },
        'master-worker': { type: 'boolean', short: 'W' },
        daemon: { type: 'boolean', short: 'D' },
        pidfile: { type: 'string', short: 'p' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`truehop: ${(err as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (values.version) {
    process.stdout.write(`truehop ${TRUEHOP_VERSION}\n`);
    return EXIT_OK;
  }
  if (values.demo) {
    const { runDemo } = await import('../runtime/demo.js');
    await runDemo();
    return EXIT_OK;
  }
  const files = values.file ?? [];
  if (files.length === 0) {
    process.stderr.write(`truehop: no configuration file (-f <file>)\n${USAGE}`);
    return EXIT_USAGE;
  }
  const result = loadConfig(files);
  for (const d of result.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (!result.ok) {
    const alerts = result.diagnostics.filter((d) => d.severity === 'alert').length;
    process.stderr.write(`Fatal errors found in configuration (${alerts} alert${alerts === 1 ? '' : 's'}).\n`);
    return EXIT_INVALID;
  }
  if (values.check) {
    process.stdout.write('Configuration file is valid\n');
    return EXIT_OK;
  }
  if (values.daemon === true && !isDaemonChild()) {
    const { daemonize } = await import('../process/daemonize.js');
    return daemonize(process.stderr);
  }
  const { runProcesses } = await import('../process/run-processes.js');
  return runProcesses(result.model, files, { masterWorker: values['master-worker'] === true, pidfile: values.pidfile });
}

/** True when this file is the program (also through npm's bin symlink), not an import. */
function isEntryPoint(): boolean {
  const invokedAs = process.argv[1];
  if (invokedAs === undefined) return false;
  try {
    return pathToFileURL(realpathSync(invokedAs)).href === import.meta.url;
  } catch {
    return false;
  }
}

/** Runs `main` as the program: its result becomes the exit status (also used by bin/truehop.js). */
export function runCommandLine(argv: readonly string[]): void {
  main(argv).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`truehop: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = EXIT_INVALID;
    },
  );
}

if (isEntryPoint()) runCommandLine(process.argv.slice(2));
