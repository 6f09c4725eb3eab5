// Replaces tsc's dist/client/src/cli/run-command.js (what the `microraiden` bin loads for a command, never for
// --help) with one esbuild bundle of it and everything it imports: the client, ethers, zod, @noble/*. Node then
// reads and compiles one file instead of several hundred (ethers and zod are split into many modules), about a
// quarter less CPU per command start (bench/cli-start). The library entry points stay tsc's module-per-file
// output; only the CLI's own process uses the bundle, so no class crosses between the two copies.
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '../../..');
export const CLI_BUNDLE = path.join(root, 'libs/client/dist/client/src/cli/run-command.js');

/** Builds the bundle to `outfile` (default: over tsc's run-command.js); resolves to its size in bytes. */
export async function buildCliBundle(outfile: string = CLI_BUNDLE): Promise<number> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(root, 'libs/client/src/cli/run-command.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.json'),
    // The native secp256k1 addon is an optional dependency, found at run time or not (then @noble/curves signs).
    external: ['secp256k1', 'secp256k1/*'],
    minify: true,
    // Error classes and codes are read by name in places; minifying them away would change messages.
    keepNames: true,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  return Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
}

if (require.main === module) {
  buildCliBundle().then(
    (bytes) => console.log(`CLI bundle: ${path.relative(root, CLI_BUNDLE)} (${bytes} bytes)`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
