import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, describe } from 'vitest';
import { runAbstractPersistenceSuite } from '../test/abstract-persistence-suite.js';
import { createLevelPersistence } from './open-persistence.js';
import { sessionDatabase } from './session-database.js';

const root = mkdtempSync(join(tmpdir(), 'level-persistence-'));
let databases = 0;

describe('aedes-persistence abstract suite: disk backend (LevelDB, synced writes, completions in order)', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  runAbstractPersistenceSuite(() =>
    createLevelPersistence(
      sessionDatabase(
        new ClassicLevel<string, Buffer>(join(root, String(databases++)), { valueEncoding: 'buffer' }),
      ),
    ),
  );
});
