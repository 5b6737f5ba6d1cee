import { describe, expect, it } from 'vitest';
import { CATALOGUE, type DeviceCategory, type MqttProfile, type VendorTopic } from '../../devices/index.js';
import type { SiteDevice } from '../../site/index.js';
import { FAULT_TABLE } from '../faults/fault-table.js';
import type { FaultKind } from '../faults/fault-kinds.js';
import { seededRandom } from '../random.js';
import { DEVICE_BEHAVIOURS, type BehaviourContext } from './device-behaviours.js';

/**
 * The simulator publishes through its profiles' topics: whatever a behaviour or a fault
 * sends must be on a topic of the device's own profile and must pass that topic's payload
 * schema, as the gateway will read it.
 */
interface Sent {
  pattern: string;
  payload: unknown;
}

function recorder(category: DeviceCategory, faults: ReadonlySet<FaultKind> = new Set()) {
  const sent: Sent[] = [];
  const tasks: Array<() => void> = [];
  const record = (topic: VendorTopic<unknown>, payload: unknown) => {
    sent.push({ pattern: topic.pattern, payload });
  };
  const context: BehaviourContext = {
    device: { id: `sim-${category}`, vendorId: `sim-${category}` } as SiteDevice,
    vendorId: `sim-${category}`,
    random: seededRandom(7),
    now: () => Date.UTC(2026, 5, 1, 4, 0), // noon in Beijing: cameras see people
    utcOffsetMinutes: 480,
    intervals: {
      statusMs: 1,
      activityMs: 1,
      burstSpacingMs: 1,
      keepAliveMs: 1,
      selfTestMs: 1,
      linkageMs: 1,
    },
    hasFault: (kind) => faults.has(kind),
    publish: (topic, payload) => record(topic, payload),
    publishSeries: (topic, payloads) => payloads.forEach((payload) => record(topic, payload)),
    every: (_ms, task) => tasks.push(task),
  };
  /** Runs the periodic tasks `rounds` times, as the timers would. */
  const tick = (rounds: number) => {
    for (let i = 0; i < rounds; i++) for (const task of tasks) task();
  };
  return { context, sent, tick };
}

function profileOf(category: DeviceCategory): MqttProfile {
  const profile = CATALOGUE.find((p): p is MqttProfile => p.protocol === 'mqtt' && p.category === category);
  if (!profile) throw new Error(`no MQTT profile for ${category}`);
  return profile;
}

function expectReadable(category: DeviceCategory, sent: readonly Sent[]): void {
  const profile = profileOf(category);
  expect(sent.length).toBeGreaterThan(0);
  for (const { pattern, payload } of sent) {
    const mapping = profile.topics.find((t) => t.pattern === pattern);
    expect(mapping, `${profile.id} has ${pattern}`).toBeDefined();
    // A text topic carries the payload as a string; a JSON one through JSON.
    const wire = mapping!.format === 'text' ? String(payload) : JSON.parse(JSON.stringify(payload));
    const parsed = mapping!.payload.safeParse(wire);
    expect(parsed.success, `${pattern} ${JSON.stringify(payload)}: ${parsed.error?.message}`).toBe(true);
  }
}

const categories = Object.keys(DEVICE_BEHAVIOURS) as DeviceCategory[];

describe('the simulator’s vendor traffic', () => {
  it.each(categories)(
    '%s: everyday traffic is on its profile’s topics and passes their schemas',
    (category) => {
      const { context, sent, tick } = recorder(category);
      DEVICE_BEHAVIOURS[category]!(context);
      tick(30);
      expectReadable(category, sent);
    },
  );

  const faultEffects = Object.entries(FAULT_TABLE).flatMap(([kind, effect]) =>
    Object.entries(effect.mqtt ?? {}).map(([category, handlers]) => ({
      kind: kind as FaultKind,
      category: category as DeviceCategory,
      handlers,
    })),
  );

  it('covers every MQTT fault', () => {
    expect(faultEffects.length).toBeGreaterThan(8);
  });

  it.each(faultEffects)(
    '$kind on $category: start and clear are readable',
    ({ kind, category, handlers }) => {
      const { context, sent } = recorder(category, new Set([kind]));
      handlers.start?.(context);
      handlers.clear?.(context);
      expectReadable(category, sent);
    },
  );
});
