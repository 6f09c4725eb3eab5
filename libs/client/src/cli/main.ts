#!/usr/bin/env node
// The `microraiden` command: see `microraiden --help` (cli-arguments.ts) and libs/client/README.md.
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  interactive: process.stderr.isTTY === true,
}).then((code) => {
  process.exitCode = code;
});
