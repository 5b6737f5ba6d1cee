import { isDlt645Error } from '../../devices/index.js';
import { isCodedError } from '../../runtime/index.js';
import { EdgeError } from '../errors.js';

/** Maps what a DL/T 645 read throws onto the coded errors a technician can act on. */
export function toDlt645Error(error: unknown, where: string): EdgeError {
  if (isCodedError(error)) return error;
  if (isDlt645Error(error))
    return new EdgeError('DLT645_BAD_FRAME', `${where}: ${error.message}`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new EdgeError('DLT645_CONNECT', `${where}: ${message}`, { cause: error });
}

/** Codes that mean the meter said nothing at all: only these count towards offline. */
export function isDlt645Silence(code: string): boolean {
  return code === 'DLT645_TIMEOUT' || code === 'DLT645_CONNECT';
}
