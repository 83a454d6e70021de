#!/usr/bin/env node
// Runs the TypeScript sources directly so a clean clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
const code = await main(process.argv);
// On failure, timers or sockets a half-started command left behind must not keep the process alive.
if (code !== 0) process.exit(code);
process.exitCode = code;
