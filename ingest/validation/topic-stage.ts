import { parseTopic, type ParsedTopic } from '../../contracts/index.js';
import { accept, reject, type StageResult } from './rejection.js';

/** The topics ingest consumes; alerts are published by alerting and never stored from here. */
export type IngestTopic = Exclude<ParsedTopic, { kind: 'alert' }>;

export function checkTopic(topic: string, payload: Buffer): StageResult<IngestTopic> {
  const parsed = parseTopic(topic);
  if (!parsed || parsed.kind === 'alert') {
    return reject(
      'TOPIC_INVALID',
      `"${topic.slice(0, 200)}" is not a v1 telemetry/event/status/health/batch topic`,
      payload,
    );
  }
  return accept(parsed);
}
