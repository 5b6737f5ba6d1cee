import { resolve } from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../runtime/index.js';

/**
 * npm packages with native parts, which must stay files of their own in node_modules (each
 * finds its prebuilt binary beside itself); everything else goes into the bundle.
 */
const KEPT_OUTSIDE = ['classic-level', 'serialport', '@serialport/*'];

/**
 * A daemon as one minified ES module: its own code and the npm packages it imports, but
 * those with native parts. V8 keeps every loaded module's source text and a record per
 * module for as long as the process runs; one minified file holds less of both. The
 * gateway polling 100 meters took 74 MiB this way against 82 MiB as one module per file,
 * at the same CPU (bench/README.md, `gateway-memory`); the build writes the gateway's
 * daemon this way (deploy/build.ts). `outfile` must sit one folder below the build's root
 * (dist/edge/main.js), beside the per-file modules, so the code finds package.json as they
 * do (runtime/project-files.ts).
 */
export async function bundleDaemon(entry: string, outfile: string): Promise<void> {
  // `entry` from the repository's root (edge/main.ts), or absolute.
  await build({
    entryPoints: [resolve(PROJECT_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    minify: true,
    // A stack trace of the minified code maps back to the sources with node --enable-source-maps.
    sourcemap: 'linked',
    external: KEPT_OUTSIDE,
    // CommonJS packages inside an ES module bundle still call require().
    banner: {
      js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
