import { isCjt188Error } from '../../devices/index.js';
import { isCodedError } from '../../runtime/index.js';
import { EdgeError } from '../errors.js';

/** Maps what a CJ/T 188 read throws onto the coded errors a technician can act on. */
export function toCjt188Error(error: unknown, where: string): EdgeError {
  if (isCodedError(error)) return error;
  if (isCjt188Error(error))
    return new EdgeError('CJT188_BAD_FRAME', `${where}: ${error.message}`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new EdgeError('CJT188_CONNECT', `${where}: ${message}`, { cause: error });
}

/** Codes that mean the meter said nothing at all: only these count towards offline. */
export function isCjt188Silence(code: string): boolean {
  return code === 'CJT188_TIMEOUT' || code === 'CJT188_CONNECT';
}
