import assert from 'node:assert';
import { createRequire } from 'node:module';
import { it } from 'vitest';

/**
 * aedes-persistence's own abstract suite (the one every aedes persistence must pass,
 * written for node:test), run under vitest with a minimal stand-in for node:test's `t`.
 */
interface NodeTestContext {
  plan(count: number): void;
  diagnostic(message: string): void;
  assert: typeof assert;
}
type AbstractSuite = (options: {
  test: (name: string, body: (t: NodeTestContext) => Promise<void>) => void;
  persistence: () => unknown;
  testAsync?: boolean;
}) => void;

const require = createRequire(import.meta.url);
const abstractPersistenceSuite = require('aedes-persistence/abstract.js') as AbstractSuite;

/** Declares the suite's tests in the current `describe`; `persistence` makes a fresh instance per test. */
export function runAbstractPersistenceSuite(persistence: () => unknown, testAsync = false): void {
  abstractPersistenceSuite({
    test: (name, body) => it(name, () => body({ plan: () => {}, diagnostic: () => {}, assert })),
    persistence,
    testAsync,
  });
}
