import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectFile } from '../runtime/index.js';
import { generateDashboards } from './output/generate-dashboards.js';

/** Writes dashboards/generated/ (dashboard JSON and Grafana provisioning); `npm run dashboards:generate`. */
export const GENERATED_DIR = projectFile('dashboards/generated');

function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

export function writeGenerated(dir = GENERATED_DIR): string[] {
  const files = generateDashboards();
  // Files of dashboards that no longer exist would otherwise linger in Grafana.
  for (const stale of listFiles(dir)) if (!(relative(dir, stale) in files)) rmSync(stale);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return Object.keys(files);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const written = writeGenerated();
  process.stdout.write(`wrote ${written.length} files to ${relative(process.cwd(), GENERATED_DIR)}/\n`);
}
