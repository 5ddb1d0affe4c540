#!/usr/bin/env node
// The `truehop` command as npm links it (package.json "bin"). This file is committed, not
// compiled: npm links a workspace's bin only if the file exists when `npm ci` runs, which is
// before the first build, and it must carry the execute bit. It loads the compiled CLI and,
// in a checkout that has not been built yet, says so instead of a module-not-found trace.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const compiledCli = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(compiledCli)) {
  process.stderr.write(`truehop: the compiled CLI ${fileURLToPath(compiledCli)} does not exist yet: run \`npm run build\` first\n`);
  process.exit(1);
}
const { runCommandLine } = await import(compiledCli.href);
runCommandLine(process.argv.slice(2));
