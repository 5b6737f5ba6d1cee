import { describe } from 'vitest';
import { runAbstractPersistenceSuite } from '../test/abstract-persistence-suite.js';
import { createIndexedMemoryPersistence, IndexedMemoryPersistence } from './indexed-memory-persistence.js';

describe('aedes-persistence abstract suite: callback/promise wrapper (what aedes uses)', () => {
  runAbstractPersistenceSuite(() => createIndexedMemoryPersistence());
});

describe('aedes-persistence abstract suite: async instance', () => {
  runAbstractPersistenceSuite(() => new IndexedMemoryPersistence(), true);
});

describe('aedes-persistence abstract suite: async wrapper with broadcast subscriptions', () => {
  runAbstractPersistenceSuite(() => createIndexedMemoryPersistence({ broadcastSubscriptions: true }), true);
});
