import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectFile } from '../runtime/index.js';
import { loadSite, type Site } from '../site/index.js';
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

export function writeGenerated(dir = GENERATED_DIR, site?: Site): string[] {
  const files = generateDashboards(site);
  // Files of dashboards that no longer exist would otherwise linger in Grafana.
  for (const stale of listFiles(dir)) if (!(relative(dir, stale) in files)) rmSync(stale);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return Object.keys(files);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `--site FILE` generates a village's own boards from its site file (names, gateways expected).
  const siteArg = process.argv.indexOf('--site');
  const siteFile = siteArg > 0 ? process.argv[siteArg + 1] : undefined;
  const written = writeGenerated(GENERATED_DIR, siteFile ? loadSite(siteFile) : undefined);
  process.stdout.write(`wrote ${written.length} files to ${relative(process.cwd(), GENERATED_DIR)}/\n`);
}
