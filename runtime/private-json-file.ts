import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';

/** A JSON file of secrets that could not be read or does not validate; the message names the file and each bad field. */
export class PrivateJsonFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    readonly what = 'file',
  ) {
    super(`${what} ${file}: ${detail}`);
    this.name = 'PrivateJsonFileError';
  }
}

/**
 * Reads and validates a JSON file; undefined when it is missing or blank. Anything
 * else must validate completely: a file with a typo is an error, never half-read.
 */
export async function readPrivateJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  what = 'file',
): Promise<z.infer<S> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PrivateJsonFileError(file, `cannot be read: ${(error as Error).message}`, what);
  }
  if (text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PrivateJsonFileError(file, `is not valid JSON: ${(error as Error).message}`, what);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const version = formatVersionIssue(json, result.error.issues);
    if (version) throw new PrivateJsonFileError(file, version, what);
    const lines = result.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new PrivateJsonFileError(file, `is invalid:\n${lines.join('\n')}`, what);
  }
  return result.data;
}

/** Written as JSON with writeFileAtomic (mode 0600, a 0700 folder when it makes one): never seen half-written. */
export function writePrivateJsonFile(file: string, content: unknown): Promise<void> {
  writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`);
  return Promise.resolve();
}

/**
 * A file of another format version (a newer release wrote it, or a release older than any
 * migration here): what to do, instead of a list of fields that do not match this release.
 */
function formatVersionIssue(json: unknown, issues: readonly z.core.$ZodIssue[]): string | undefined {
  const found = (json as { version?: unknown } | null)?.version;
  const issue = issues.find((i) => i.path.length === 1 && i.path[0] === 'version');
  if (typeof found !== 'number' || !issue) return undefined;
  const expected =
    issue.code === 'invalid_value' ? ` (this release reads format ${issue.values.join(', ')})` : '';
  return (
    `is format ${found}${expected}: start the release that wrote it, or restore a backup this release made ` +
    '(docs/upgrades.md) / 文件格式版本与本版本不符：请用写入它的版本启动，或恢复本版本做的备份'
  );
}
