import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleDaemon } from '../../deploy/index.js';

/** A Node process that imports these packages and waits: the gateway's floor, as files. */
export const floorCode = (names: readonly string[]): string =>
  `${names.map((name) => `await import('${name}');`).join(' ')} setInterval(() => {}, 1000);`;

/**
 * The floor bundled as the build bundles the gateway: the same packages in one minified
 * file (each held by a namespace import, so none is left out as unused). `dir` must lie
 * inside the repository, so that esbuild finds the packages in node_modules.
 */
export async function bundleFloor(names: readonly string[], dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'floor-entry.mjs');
  writeFileSync(
    entry,
    `${names.map((name, i) => `import * as p${i} from '${name}';`).join('\n')}\n` +
      `globalThis.floorPackages = [${names.map((_, i) => `p${i}`).join(', ')}];\nsetInterval(() => {}, 1000);\n`,
  );
  const outfile = join(dir, 'floor.mjs');
  await bundleDaemon(entry, outfile);
  return outfile;
}
