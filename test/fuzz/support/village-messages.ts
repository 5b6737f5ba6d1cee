import fc from 'fast-check';
import { topics } from '../../../contracts/index.js';
import { profileFields } from '../../../devices/index.js';
import {
  hostileId,
  hostileString,
  mutateEntries,
  randomBytes,
  renderObject,
  spliceInvalidUtf8,
  toBytes,
  valueToken,
  type Entries,
} from './hostile.js';
import { GATEWAY, SITE, village } from './village-schema.js';

export interface FuzzMessage {
  topic: string;
  payload: Buffer;
}

const devices = village.all();
export const LEAVES = ['telemetry', 'event', 'status', 'health', 'batch'] as const;
export type Leaf = (typeof LEAVES)[number];

function telemetryEntries(deviceIndex: number, ts: number, seq: number): Entries {
  const registered = devices[deviceIndex % devices.length];
  const fields = registered ? profileFields(registered.profile) : ['voltage_v'];
  const values = fields.slice(0, 4).map((field, i) => [field, String(1 + i * 0.5)] as const);
  return [
    ['ts', String(ts)],
    ['seq', String(seq)],
    ['values', renderObject(values.length > 0 ? values : [['battery_pct', '80']])],
  ];
}

function eventEntries(deviceIndex: number, ts: number, seq: number): Entries {
  const registered = devices[deviceIndex % devices.length];
  const profile = registered?.profile;
  const type = profile?.protocol === 'mqtt' ? (profile.events[0] ?? 'device_online') : 'device_offline';
  return [
    ['ts', String(ts)],
    ['seq', String(seq)],
    ['type', JSON.stringify(type)],
    ['data', renderObject([['note', '"ok"']])],
  ];
}

const statusEntries = (ts: number): Entries => [
  ['state', '"online"'],
  ['ts', String(ts)],
  ['version', '"0.1.0"'],
  ['uptime_s', '12.5'],
];

const healthEntries = (ts: number): Entries => [
  ['ts', String(ts)],
  ['cpu_pct', '3.5'],
  ['memory_rss_bytes', '50000000'],
  ['buffer_depth', '0'],
  ['uptime_s', '100'],
  ['poll_ok_count', '10'],
  ['poll_error_count', '0'],
  ['devices_online', '40'],
  ['devices_offline', '0'],
];

/** A payload of a kind: valid, a mutation of a valid one, or garbage of several sorts. */
function payloadOf(kind: (typeof LEAVES)[number], device: number, ts: number): fc.Arbitrary<Buffer> {
  const seq = fc.nat({ max: 1_000_000 });
  const valid: fc.Arbitrary<Entries> = seq.chain((n) => {
    switch (kind) {
      case 'telemetry':
        return fc.constant(telemetryEntries(device, ts, n));
      case 'event':
        return fc.constant(eventEntries(device, ts, n));
      case 'status':
        return fc.constant(statusEntries(ts));
      case 'health':
        return fc.constant(healthEntries(ts));
      case 'batch':
        return fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.boolean()), { maxLength: 6 }).chain((items) =>
          fc.array(valueToken, { maxLength: 2 }).map((hostileItems): Entries => {
            const item = ([d, event]: [number, boolean, boolean], i: number) => {
              const id = devices[d % devices.length]?.device.id ?? 'x';
              const entries = event ? eventEntries(d, ts, n + i) : telemetryEntries(d, ts, n + i);
              return renderObject([['device', JSON.stringify(id)], ...entries]);
            };
            const telemetry = items.filter(([, event]) => !event).map(item);
            const events = items.filter(([, event]) => event).map(item);
            return [
              ['ts', String(ts)],
              ['telemetry', `[${[...telemetry, ...hostileItems].join(',')}]`],
              ['events', `[${events.join(',')}]`],
            ];
          }),
        );
    }
  });
  return fc.oneof(
    { arbitrary: valid.map((entries) => toBytes(renderObject(entries))), weight: 3 },
    { arbitrary: valid.chain(mutateEntries).map((entries) => toBytes(renderObject(entries))), weight: 5 },
    {
      arbitrary: valid.chain((entries) => spliceInvalidUtf8(renderObject(entries))).map(toBytes),
      weight: 1,
    },
    { arbitrary: valueToken.map(toBytes), weight: 1 },
    { arbitrary: randomBytes, weight: 1 },
  );
}

/** A topic: the real one for the message, or one with hostile ids, levels or leaf. */
function topicOf(kind: (typeof LEAVES)[number], device: number): fc.Arbitrary<string> {
  const deviceId = devices[device % devices.length]?.device.id ?? 'x';
  const real =
    kind === 'telemetry' || kind === 'event'
      ? topics[kind](SITE, GATEWAY, deviceId)
      : topics[kind](SITE, GATEWAY);
  const slot = (value: string) => fc.oneof({ arbitrary: fc.constant(value), weight: 3 }, hostileId);
  return fc.oneof(
    { arbitrary: fc.constant(real), weight: 6 },
    {
      arbitrary: fc
        .tuple(slot(SITE), slot(GATEWAY), slot(deviceId), slot(kind))
        .map(([site, gateway, id, leaf]) =>
          kind === 'telemetry' || kind === 'event'
            ? `v1/${site}/${gateway}/${id}/${leaf}`
            : `v1/${site}/${gateway}/${leaf}`,
        ),
      weight: 3,
    },
    { arbitrary: hostileString.map((s) => `v1/${s}`), weight: 1 },
  );
}

/** Payloads for one kind of topic, about any device of the village. */
export function fuzzPayload(kind: Leaf, nowMs: number): fc.Arbitrary<Buffer> {
  return fc.nat({ max: devices.length - 1 }).chain((device) => payloadOf(kind, device, nowMs));
}

/** A mix of well-formed, nearly well-formed and hostile messages on real and hostile topics. */
export function fuzzMessage(nowMs: number): fc.Arbitrary<FuzzMessage> {
  return fc
    .tuple(
      fc.constantFrom(...LEAVES),
      fc.nat({ max: devices.length - 1 }),
      fc.integer({ min: -120_000, max: 0 }),
    )
    .chain(([kind, device, offset]) =>
      fc.record({ topic: topicOf(kind, device), payload: payloadOf(kind, device, nowMs + offset) }),
    );
}
