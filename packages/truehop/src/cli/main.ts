#!/usr/bin/env node
// Placeholder until the daemon lands.
console.error('truehop: the daemon is not built yet');
process.exitCode = 1;
