import assert from 'node:assert';
import { createRequire } from 'node:module';
import { describe, it } from 'vitest';
import { createIndexedMemoryPersistence, IndexedMemoryPersistence } from './indexed-memory-persistence.js';

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

function vitestAdapter(name: string, body: (t: NodeTestContext) => Promise<void>): void {
  it(name, () => body({ plan: () => {}, diagnostic: () => {}, assert }));
}

describe('aedes-persistence abstract suite: callback/promise wrapper (what aedes uses)', () => {
  abstractPersistenceSuite({ test: vitestAdapter, persistence: () => createIndexedMemoryPersistence() });
});

describe('aedes-persistence abstract suite: async instance', () => {
  abstractPersistenceSuite({
    test: vitestAdapter,
    persistence: () => new IndexedMemoryPersistence(),
    testAsync: true,
  });
});

describe('aedes-persistence abstract suite: async wrapper with broadcast subscriptions', () => {
  abstractPersistenceSuite({
    test: vitestAdapter,
    persistence: () => createIndexedMemoryPersistence({ broadcastSubscriptions: true }),
    testAsync: true,
  });
});
