// `npm run microraiden -- <command>`: runs the compiled CLI (libs/client/dist, what the package's `microraiden`
// bin runs) instead of transpiling the TypeScript sources on every start, and rebuilds it first (npm run
// client:build, on stderr) when a source it is built from is newer than the build. Plain JavaScript, so that this
// check itself needs no transpiler: it costs a few milliseconds of stat calls.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const COMPILED_MAIN = path.join(root, 'libs/client/dist/client/src/cli/main.js');

// What npm run client:build compiles and bundles (and the configs it reads); tests are not part of the build.
const SOURCE_DIRS = [
  'libs/client/src',
  'libs/client/scripts',
  'libs/protocol/src',
  'libs/contracts/src',
  'libs/errors/src',
];
const CONFIGS = ['tsconfig.json', 'libs/client/tsconfig.build.json'];
const NOT_BUILT = /\.(spec|int-spec|e2e-spec)\.ts$/;

/** The newest modification time (ms) of the files the compiled CLI is built from. */
function newestSourceMtime() {
  let newest = Math.max(...CONFIGS.map((file) => statSync(path.join(root, file)).mtimeMs));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test') walk(full);
      } else if (entry.name.endsWith('.ts') && !NOT_BUILT.test(entry.name)) {
        newest = Math.max(newest, statSync(full).mtimeMs);
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir));
  return newest;
}

/** True when there is no build, or a source is newer than it. */
function compiledCliIsStale() {
  let built;
  try {
    built = statSync(COMPILED_MAIN).mtimeMs;
  } catch {
    return true;
  }
  return newestSourceMtime() > built;
}

/** Builds the CLI (npm run client:build) with its output on stderr, keeping stdout for the command's result. */
function buildCompiledCli() {
  process.stderr.write(
    'microraiden: the CLI sources changed since the last build; npm run client:build ...\n',
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', 'client:build'], {
    cwd: root,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  return result.status ?? 1;
}

const status = compiledCliIsStale() ? buildCompiledCli() : 0;
if (status !== 0) {
  process.exitCode = status;
} else {
  // main.js reads process.argv.slice(2): the same arguments this script was given.
  createRequire(import.meta.url)(COMPILED_MAIN);
}
