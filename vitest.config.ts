import { defineConfig } from 'vitest/config';

/**
 * Two layers, told apart by the file name:
 * - unit (`*.unit.test.ts`, `npm run test:unit`): pure logic, no system packages, no servers,
 *   no sockets (test/support/unit-layer-guard.ts refuses them); well under a minute.
 * - e2e (every other `*.test.ts`, `npm run test:e2e`): real influxd, brokers, Modbus, browsers.
 * `npm test` runs both.
 */
const UNIT = '**/*.unit.test.ts';
const ALWAYS_EXCLUDED = ['node_modules/**', 'dist/**', 'data/**'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [UNIT],
          exclude: ALWAYS_EXCLUDED,
          setupFiles: ['test/support/unit-layer-guard.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['**/*.test.ts'],
          exclude: [...ALWAYS_EXCLUDED, UNIT],
          setupFiles: ['test/support/vitest-setup.ts'],
        },
      },
    ],
  },
});
