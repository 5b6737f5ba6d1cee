import { describe, expect, it } from 'vitest';
import { DEMO_SITE_FILE } from '../../site/index.js';
import { SiteDirectory } from './site-directory.js';
import { validateMessage, type ValidationContext } from './validate-message.js';

const NOW = 1_750_000_000_000;
const context: ValidationContext = {
  sites: SiteDirectory.fromFiles([DEMO_SITE_FILE]),
  maxPayloadBytes: 1024,
  maxAgeDays: 30,
  maxFutureS: 300,
  now: () => NOW,
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const codesOf = (topic: string, payload: Buffer) =>
  validateMessage(topic, payload, context).rejected.map((r) => r.code);

const telemetryTopic = 'v1/demo-village/gw-center/clinic-power/telemetry';

describe('validateMessage', () => {
  it('accepts telemetry of a registered device with profile fields', () => {
    const outcome = validateMessage(
      telemetryTopic,
      json({ ts: NOW, seq: 1, values: { voltage_v: 230.1 } }),
      context,
    );
    expect(outcome.rejected).toEqual([]);
    expect(outcome.accepted).toHaveLength(1);
    expect(outcome.accepted[0]).toMatchObject({
      kind: 'telemetry',
      site: 'demo-village',
      gateway: 'gw-center',
    });
  });

  it('rejects with the code of the first failing stage', () => {
    expect(codesOf(telemetryTopic, Buffer.alloc(2000, 32))).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(codesOf('v1/demo-village/gw-center/clinic-power/bogus', json({}))).toEqual(['TOPIC_INVALID']);
    expect(codesOf(telemetryTopic, Buffer.from('{"ts":'))).toEqual(['PAYLOAD_NOT_JSON']);
    expect(codesOf(telemetryTopic, json({ ts: 'now', seq: 1, values: { voltage_v: 1 } }))).toEqual([
      'PAYLOAD_INVALID',
    ]);
    expect(
      codesOf(
        'v1/other-village/gw-center/clinic-power/telemetry',
        json({ ts: NOW, seq: 1, values: { voltage_v: 1 } }),
      ),
    ).toEqual(['SITE_UNKNOWN']);
    expect(
      codesOf(
        'v1/demo-village/gw-center/nobody/telemetry',
        json({ ts: NOW, seq: 1, values: { voltage_v: 1 } }),
      ),
    ).toEqual(['DEVICE_UNKNOWN']);
    expect(
      codesOf(
        'v1/demo-village/gw-other/clinic-power/telemetry',
        json({ ts: NOW, seq: 1, values: { voltage_v: 1 } }),
      ),
    ).toEqual(['GATEWAY_MISMATCH']);
    expect(codesOf(telemetryTopic, json({ ts: NOW, seq: 1, values: { pressure_mpa: 1 } }))).toEqual([
      'FIELD_UNKNOWN',
    ]);
  });

  it('applies the clock policy: 30 days back, 300 s ahead', () => {
    const at = (ts: number) => codesOf(telemetryTopic, json({ ts, seq: 1, values: { voltage_v: 1 } }));
    expect(at(NOW - 29 * 86_400_000)).toEqual([]);
    expect(at(NOW - 31 * 86_400_000)).toEqual(['CLOCK_SKEW']);
    expect(at(NOW + 299_000)).toEqual([]);
    expect(at(NOW + 301_000)).toEqual(['CLOCK_SKEW']);
    expect(at(9e15)).toEqual(['CLOCK_SKEW']); // beyond what Date can format
  });

  it('accepts profile events and availability events for any device, refuses others', () => {
    const door = 'v1/demo-village/gw-center/clinic-door/event';
    const meter = 'v1/demo-village/gw-center/clinic-power/event';
    expect(codesOf(door, json({ ts: NOW, seq: 1, type: 'door_forced' }))).toEqual([]);
    expect(codesOf(meter, json({ ts: NOW, seq: 1, type: 'device_offline' }))).toEqual([]);
    expect(codesOf(meter, json({ ts: NOW, seq: 1, type: 'fire_alarm' }))).toEqual(['EVENT_UNKNOWN']);
    expect(codesOf(door, json({ ts: NOW, seq: 1, type: 'not_an_event' }))).toEqual(['PAYLOAD_INVALID']);
  });

  it('checks the gateway of status and health messages', () => {
    const status = { state: 'online', ts: NOW, version: '0.1.0' };
    expect(codesOf('v1/demo-village/gw-center/status', json(status))).toEqual([]);
    expect(codesOf('v1/demo-village/gw-ghost/status', json(status))).toEqual(['GATEWAY_UNKNOWN']);
  });

  it('validates batch items one by one', () => {
    const outcome = validateMessage(
      'v1/demo-village/gw-center/batch',
      json({
        ts: NOW,
        telemetry: [
          { device: 'clinic-power', ts: NOW, seq: 1, values: { voltage_v: 230 } },
          { device: 'clinic-power', ts: NOW, seq: 2, values: { voltage_v: 'high' } },
          { device: 'clinic-pressure', ts: NOW, seq: 3, values: { pressure_mpa: 0.2 } },
        ],
        events: [{ device: 'clinic-door', ts: NOW, seq: 4, type: 'fire_alarm' }],
      }),
      context,
    );
    expect(outcome.accepted.map((r) => r.kind)).toEqual(['telemetry', 'telemetry']);
    expect(outcome.rejected.map((r) => [r.code, r.reason.split(':')[0]])).toEqual([
      ['PAYLOAD_INVALID', 'telemetry[1]'],
      ['EVENT_UNKNOWN', 'events[0]'],
    ]);
    expect(JSON.parse(outcome.rejected[0]?.payload.toString() ?? '')).toMatchObject({ seq: 2 });
  });
});
