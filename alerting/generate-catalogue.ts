import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { projectFile } from '../runtime/index.js';
import { renderCatalogue } from './rules/incident-catalogue.js';
import { DEFAULT_RULES_FILE, loadRules } from './rules/load-rules.js';

/** docs/incidents.md, generated from the default rules; `npm run incidents:generate`. */
export const CATALOGUE_FILE = projectFile('docs/incidents.md');
/** What test/scenarios measured on the running stack, rendered into the catalogue. */
export const TIMINGS_FILE = projectFile('docs/incident-timings.json');

export const timingsSchema = z.strictObject({
  measuredOn: z.string(),
  rows: z.array(
    z.strictObject({
      rule: z.string(),
      scenario: z.string(),
      toNotificationMs: z.number(),
      toResolvedMs: z.number().nullable(),
    }),
  ),
});

export function generatedCatalogue(): string {
  const timings = existsSync(TIMINGS_FILE)
    ? timingsSchema.parse(JSON.parse(readFileSync(TIMINGS_FILE, 'utf8')))
    : undefined;
  return renderCatalogue(loadRules([DEFAULT_RULES_FILE]), timings);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `--timings FILE` takes the times test/scenarios measured (test-artifacts/incident-timings.json).
  const at = process.argv.indexOf('--timings');
  const measured = at > 0 ? process.argv[at + 1] : undefined;
  if (measured) {
    const timings = timingsSchema.parse(JSON.parse(readFileSync(measured, 'utf8')));
    writeFileSync(TIMINGS_FILE, `${JSON.stringify(timings, null, 2)}\n`);
  }
  writeFileSync(CATALOGUE_FILE, generatedCatalogue());
  process.stdout.write(`wrote docs/incidents.md${measured ? ' and docs/incident-timings.json' : ''}\n`);
}
