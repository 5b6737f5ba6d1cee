import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from './compose-file.js';

/** The patterns of .dockerignore as regular expressions over repo-relative paths (no `!` exceptions). */
export function dockerignorePatterns(
  text = readFileSync(resolve(REPO_ROOT, '.dockerignore'), 'utf8'),
): RegExp[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((pattern) => {
      const body = pattern
        .replace(/^\/+|\/+$/g, '')
        .split('**/')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('(?:.*/)?');
      return new RegExp(`^${body}(?:/.*)?$`);
    });
}

/** True when the build context leaves this repo-relative path out of the image. */
export function isIgnored(path: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => pattern.test(path));
}

/** The repo's .gitignore read the same way (no `!` exceptions): what lives on a server, never in git. */
export function gitignorePatterns(): RegExp[] {
  return dockerignorePatterns(readFileSync(resolve(REPO_ROOT, '.gitignore'), 'utf8'));
}
