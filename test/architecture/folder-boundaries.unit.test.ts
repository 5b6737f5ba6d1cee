import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, projectFile } from '../../runtime/index.js';

/**
 * The folder-boundary check of `npm run lint` (.dependency-cruiser.mjs): files with deep
 * imports and harness imports are planted in the tree, the lint step runs on them, and
 * each must be reported under its rule; well-behaved plants must not be.
 */
const tag = randomBytes(4).toString('hex');
const plants = {
  deep: `edge/planted-deep-${tag}.ts`,
  deepType: `ingest/planted-deep-type-${tag}.ts`,
  stack: `firmware-sim/planted-stack-${tag}.ts`,
  test: `alerting/planted-test-${tag}.ts`,
  bench: `devices/planted-bench-${tag}.ts`,
  ownTests: `broker/planted-own-tests-${tag}.ts`,
  throughIndex: `edge/planted-index-${tag}.ts`,
  testFile: `edge/test/planted-${tag}.test.ts`,
} as const;
const sources: Record<keyof typeof plants, string> = {
  deep: `import { definitions } from '../devices/profiles/chint.js';\nexport const x = definitions;\n`,
  deepType: `import type { ModbusProfile } from '../devices/profile-schema.js';\nexport type X = ModbusProfile;\n`,
  stack: `import { VillageStack } from '../stack/index.js';\nexport const x = VillageStack;\n`,
  test: `import { BareBroker } from '../test/support/index.js';\nexport const x = BareBroker;\n`,
  bench: `import { median } from '../bench/support/report.js';\nexport const x = median;\n`,
  ownTests: `import { harnessCredentials } from './test/harness.js';\nexport const x = harnessCredentials;\n`,
  throughIndex: `import { getProfile } from '../devices/index.js';\nexport const x = getProfile;\n`,
  testFile: `import { VillageStack } from '../../stack/index.js';\nexport const x = VillageStack;\n`,
};

/** `rule → to` per planted file, as the lint step prints them (`error <rule>: <from> → <to>`). */
const reported = new Map<string, string[]>();
let exitCode = 0;

/** The lint step's own command line, so the test checks what `npm run lint` runs. */
function boundaryCommand(): string[] {
  const scripts = JSON.parse(readFileSync(projectFile('package.json'), 'utf8')).scripts as Record<
    string,
    string
  >;
  expect(scripts.lint).toContain('npm run lint:boundaries');
  return scripts['lint:boundaries']!.split(' ');
}

beforeAll(async () => {
  for (const [name, file] of Object.entries(plants)) {
    writeFileSync(projectFile(file), sources[name as keyof typeof plants]);
  }
  const [command, ...args] = boundaryCommand();
  expect(command).toBe('depcruise');
  expect(args.at(-1)).toBe('.');
  // The lint step cruises the whole tree ('.'); here only the plants and what they import.
  const cli = projectFile('node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  let output = '';
  try {
    ({ stdout: output } = await promisify(execFile)(
      process.execPath,
      [cli, ...args.slice(0, -1), ...Object.values(plants)],
      { cwd: PROJECT_ROOT },
    ));
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    exitCode = failed.code;
    output = failed.stdout;
  }
  for (const match of output.matchAll(/error (\S+): (\S+) → (\S+)/g)) {
    const [, rule, from, to] = match as unknown as [string, string, string, string];
    reported.set(from, [...(reported.get(from) ?? []), `${rule} → ${to}`]);
  }
}, 60_000);

afterAll(() => {
  for (const file of Object.values(plants)) rmSync(projectFile(file), { force: true });
});

function rulesFrom(file: string): string[] {
  return (reported.get(file) ?? []).sort();
}

describe('npm run lint: folder boundaries', () => {
  it('fails the lint step when a plant breaks a boundary', () => {
    expect(exitCode).not.toBe(0);
  });

  it('refuses a deep import into another top-level folder, type-only ones too', () => {
    expect(rulesFrom(plants.deep)).toEqual(['deep-import-across-folders → devices/profiles/chint.ts']);
    expect(rulesFrom(plants.deepType)).toEqual(['deep-import-across-folders → devices/profile-schema.ts']);
  });

  it('refuses product code importing stack/, test/, bench/ or its own tests', () => {
    expect(rulesFrom(plants.stack)).toEqual(['product-imports-harness → stack/index.ts']);
    expect(rulesFrom(plants.test)).toEqual(['product-imports-harness → test/support/index.ts']);
    expect(rulesFrom(plants.bench)).toEqual([
      'deep-import-across-folders → bench/support/report.ts',
      'product-imports-harness → bench/support/report.ts',
    ]);
    expect(rulesFrom(plants.ownTests)).toEqual(['product-imports-harness → broker/test/harness.ts']);
  });

  it('lets a folder import another through its index.ts, and tests use the harness', () => {
    expect(rulesFrom(plants.throughIndex)).toEqual([]);
    expect(rulesFrom(plants.testFile)).toEqual([]);
  });
});
