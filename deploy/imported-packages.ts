import { builtinModules } from 'node:module';
import { build, type Metafile } from 'esbuild';
import { PROJECT_ROOT, projectFile } from '../runtime/index.js';

export interface ImportedPackages {
  /** npm packages the entry imports at start, whatever its config. */
  atStart: string[];
  /** Those it imports later, only when its config asks for them (a dynamic import). */
  onDemand: string[];
}

/**
 * The npm packages a service entry (`edge/main.ts`) loads, found by following its imports
 * (esbuild's metafile). A package a process loads stays in its memory for as long as it
 * runs, so what an entry imports is part of its memory budget: bench/gateway-memory.ts
 * measures a Node process importing exactly the gateway's as its floor.
 */
export async function importedPackages(entry: string): Promise<ImportedPackages> {
  const result = await build({
    entryPoints: [projectFile(entry)],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    outdir: 'unused',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = result.metafile.inputs;
  const atStart = reachedPackages(inputs, [entry], false);
  const all = reachedPackages(inputs, [entry], true);
  return { atStart: [...atStart].sort(), onDemand: [...all].filter((name) => !atStart.has(name)).sort() };
}

/** Packages imported from the files reached from `entries`, through dynamic imports too if asked. */
function reachedPackages(
  inputs: Metafile['inputs'],
  entries: readonly string[],
  followDynamic: boolean,
): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of inputs[file]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' && !followDynamic) continue;
      if (imported.external) {
        const name = packageName(imported.path);
        if (name) packages.add(name);
      } else queue.push(imported.path);
    }
  }
  return packages;
}

/** `@scope/name/sub` → `@scope/name`; Node's own modules → undefined. */
function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
