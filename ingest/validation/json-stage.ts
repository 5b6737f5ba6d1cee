import { accept, reject, type StageResult } from './rejection.js';

export function parseJson(payload: Buffer): StageResult<unknown> {
  try {
    return accept(JSON.parse(payload.toString('utf8')) as unknown);
  } catch (error) {
    return reject('PAYLOAD_NOT_JSON', (error as Error).message, payload);
  }
}
