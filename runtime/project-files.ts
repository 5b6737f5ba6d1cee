import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * Where the running code's tree starts: the repository when run from TypeScript (tsx,
 * vitest), the build folder (`dist/`) when run as the JavaScript `deploy/build.ts` emits.
 */
export const CODE_ROOT = resolve(dirname(THIS_FILE), '..');

/** True when this process runs the emitted JavaScript rather than the TypeScript sources. */
export const RUNNING_COMPILED = THIS_FILE.endsWith('.js');

/**
 * The repository (the folder holding package.json): data files such as the demo site
 * and the default alert rules are read from here, so the build does not copy them.
 */
export const PROJECT_ROOT = findProjectRoot(CODE_ROOT);

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** A file of the repository by its path from the root, e.g. `site/demo-village.yaml`. */
export function projectFile(path: string): string {
  return join(PROJECT_ROOT, path);
}

/**
 * The node arguments that run a service entry given by its source path (`broker/main.ts`):
 * the emitted `.js` under `compiledRoot` when given, the TypeScript through tsx otherwise.
 */
export function entryCommand(entry: string, compiledRoot?: string): string[] {
  if (compiledRoot === undefined) return ['--import', 'tsx', join(PROJECT_ROOT, entry)];
  return [join(compiledRoot, entry.replace(/\.ts$/, '.js'))];
}

/** How this process starts a sibling service: compiled if it runs compiled itself. */
export function siblingEntryCommand(entry: string): string[] {
  return entryCommand(entry, RUNNING_COMPILED ? CODE_ROOT : undefined);
}
