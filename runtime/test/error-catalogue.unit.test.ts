import { describe, expect, it } from 'vitest';
import { CJT188_ERRORS, DLT645_ERRORS } from '../../devices/index.js';
import { CodedError, ERROR_CATALOGUE } from '../index.js';

/** One catalogue per domain: a meter protocol's codes are its own file's, gathered here unchanged. */
describe.each([
  ['DLT645_', DLT645_ERRORS],
  ['CJT188_', CJT188_ERRORS],
] as const)('the %s codes', (prefix, protocol) => {
  it('are the protocol catalogue’s, word for word, and only those', () => {
    const gathered = Object.entries(ERROR_CATALOGUE).filter(([code]) => code.startsWith(prefix));
    expect(Object.fromEntries(gathered)).toStrictEqual(protocol);
  });

  it('are what CodedError says', () => {
    for (const [code, words] of Object.entries(protocol)) {
      const error = new CodedError(code as keyof typeof ERROR_CATALOGUE, 'meter 000000000001');
      expect(error.message).toBe(`${code}: ${words.zh} / ${words.en} — meter 000000000001`);
    }
  });
});
