import { EVENT_SEVERITY, type EventType } from '../../contracts/index.js';

/**
 * What a full buffer gives up first: readings and health (0), then events by severity,
 * info (1), warning (2), and critical last (3): a fire alarm buffered during an uplink
 * outage must outlive the readings, and a flood of door events, that came after it.
 */
export type EvictionClass = 0 | 1 | 2 | 3;
export const EVICTION_CLASSES: readonly EvictionClass[] = [0, 1, 2, 3];

const BY_SEVERITY = { info: 1, warning: 2, critical: 3 } as const;
/** Canonical event payloads are `{ ts, seq, type, data }`: the type is the first `"type"` key. */
const EVENT_TYPE = /"type":"([a-z_]+)"/;

export function evictionClassOf(topic: string, body: string): EvictionClass {
  if (!topic.endsWith('/event')) return 0;
  const type = EVENT_TYPE.exec(body)?.[1] as EventType | undefined;
  const severity = type === undefined ? undefined : EVENT_SEVERITY[type];
  // An event whose type cannot be read is kept like a critical one: better too long than lost.
  return severity === undefined ? 3 : BY_SEVERITY[severity];
}
