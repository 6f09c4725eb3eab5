#!/usr/bin/env node
// The `microraiden` command: see `microraiden --help` (cli-help.ts) and libs/client/README.md.
import nodeModule from 'node:module';
import { createInterface } from 'node:readline/promises';
import { runCli } from './run-cli';

// Node >= 22.1 caches compiled code on disk; the commands load after this line (run-cli imports them
// lazily), so a second start skips most of their compilation. A no-op on Node 20.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

/** A y/N question on the terminal; only offered when stdin is one (a script is never asked). */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  interactive: process.stderr.isTTY === true,
  ...(process.stdin.isTTY === true ? { confirm } : {}),
}).then((code) => {
  process.exitCode = code;
});
