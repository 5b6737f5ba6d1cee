import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readPrivateJsonFile } from '../private-json-file.js';

const schema = z.strictObject({ version: z.literal(1), name: z.string() });
const dirs: string[] = [];
function fileWith(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'private-json-'));
  dirs.push(dir);
  const file = join(dir, 'people.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('private JSON files', () => {
  it('refuses a file of another format version with what to do, not a list of fields', async () => {
    const file = fileWith({ version: 2, people: [] });
    await expect(readPrivateJsonFile(file, schema, 'people file')).rejects.toThrow(
      `people file ${file}: is format 2 (this release reads format 1): start the release that wrote it`,
    );
  });

  it('names every bad field of a file in this release’s format', async () => {
    const file = fileWith({ version: 1, name: 7, extra: true });
    await expect(readPrivateJsonFile(file, schema, 'people file')).rejects.toThrow(/- name: .*\n.*extra/s);
  });
});
