// Builds the client's browser entry (src/browser.ts) with esbuild: one ESM file without Node built-ins.
// `npm run client:build` writes the package's copy (dependencies left as bare imports for the app's
// bundler); `bundleDependencies` inlines them too, for a page that loads the file as it is.
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/** Options of buildBrowserBundle. */
export interface BrowserBundleOptions {
  readonly outfile: string;
  /** Inline ethers, zod and @noble/* instead of importing them. Default false. */
  readonly bundleDependencies?: boolean;
  readonly minify?: boolean;
}

const root = path.resolve(__dirname, '../../..');
const DEPENDENCIES = [
  'ethers',
  'zod',
  '@noble/curves',
  '@noble/curves/*',
  '@noble/hashes',
  '@noble/hashes/*',
];

// The protocol library tries the optional native secp256k1 addon and falls back to @noble/curves when it
// cannot load; in a browser it never can, so the require resolves to a module that throws.
export const noNativeAddon: Plugin = {
  name: 'no-native-secp256k1',
  setup(b) {
    b.onResolve({ filter: /^secp256k1\/bindings$/ }, () => ({
      path: 'secp256k1-bindings',
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: "throw new Error('no native secp256k1 in the browser');",
      loader: 'js',
    }));
  },
};

/** Builds the browser entry to `outfile`; resolves to the esbuild metafile's inputs and outputs. */
export async function buildBrowserBundle(options: BrowserBundleOptions): Promise<{ imports: string[] }> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [path.join(root, 'libs/client/src/browser.ts')],
    outfile: options.outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    tsconfig: path.join(root, 'tsconfig.json'),
    // Node built-ins stay unresolved so that a dynamic import in code the browser entry never reaches
    // (readDeploymentFile) does not fail the build; the test asserts none is left in the output.
    external: ['node:*', ...(options.bundleDependencies ? [] : DEPENDENCIES)],
    plugins: [noNativeAddon],
    minify: options.minify ?? false,
    metafile: true,
    logLevel: 'warning',
  });
  const output = Object.values(result.metafile.outputs)[0];
  return { imports: (output?.imports ?? []).map((entry) => entry.path) };
}

if (require.main === module) {
  const outfile = path.join(root, 'libs/client/dist/browser/index.mjs');
  buildBrowserBundle({ outfile }).then(
    ({ imports }) =>
      console.log(`browser build: ${path.relative(root, outfile)} (imports ${imports.join(', ')})`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
