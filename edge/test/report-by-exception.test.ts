import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryMessageSchema, topics } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { waitFor } from '../../runtime/index.js';
import type { Gateway } from '../gateway.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';

/**
 * Report by exception on real parts: a gateway polling a Modbus TCP flow meter ten times a
 * second, with a maximum interval of 3 s, publishing to a real broker. The TUF-2000M
 * profile declares 0.1 m³/h for the flow and no deadband for the whole-m³ totalisers.
 */
const profile = getModbusProfile('tuf-2000m');
const MAX_INTERVAL_S = 3;
const UNIT = 1;

describe('report by exception', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  const topic = topics.telemetry('test-site', 'gw-test', 'flow-a');
  let gateway: Gateway;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const meter = { flow_m3h: 36.625, forward_total_m3: 1200, supply_temperature_c: 15 };

  const serveMeter = () => server.serve(UNIT, encodeReading(profile, meter));
  const sent = () => upstream.on(topic).map((m) => telemetryMessageSchema.parse(m.payload));
  /** Resolves once the meter has been read at least `polls` more times. */
  const polled = async (polls: number) => {
    const from = server.transactions.get(UNIT) ?? 0;
    await waitFor(`${polls} more polls`, () => (server.transactions.get(UNIT) ?? 0) >= from + polls * 2, {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
  };

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([server.start(), upstream.start()]);
    serveMeter();
    gateway = await startGateway(
      testConfig(upstream.url, dir.path, {
        modbus: {
          offlinePollIntervalS: 0.5,
          buses: [
            server.bus(
              [
                {
                  id: 'flow-a',
                  profile: profile.id,
                  unitId: UNIT,
                  pollIntervalS: 0.1,
                  maxIntervalS: MAX_INTERVAL_S,
                  // The site may widen a deadband for one installation.
                  deadbands: { supply_temperature_c: 2 },
                },
              ],
              { id: 'bus-water' },
            ),
          ],
        },
      }),
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('sends a still meter whole once, then nothing until its maximum interval, then whole again', async () => {
    await waitFor('two readings', () => sent().length >= 2, { timeoutMs: 20_000, intervalMs: 20 });
    const [first, second] = sent();
    const fields = Object.keys(first!.values).sort();
    expect(fields).toContain('flow_m3h');
    expect(Object.keys(second!.values).sort()).toEqual(fields);
    // Polled ten times a second, yet the second message is the heartbeat.
    expect(second!.ts - first!.ts).toBeGreaterThanOrEqual(MAX_INTERVAL_S * 1000);
    expect(second!.seq).toBe(first!.seq + 1);
  });

  it('holds a move within the deadband, sends one past it at once and alone', async () => {
    const before = sent().length;
    meter.flow_m3h = 36.65; // 0.025 m³/h: within the profile's 0.1
    meter.supply_temperature_c = 16.5; // 1.5 °C: within the site's 2 (the profile says 0.5)
    serveMeter();
    await polled(5);
    meter.flow_m3h = 40;
    serveMeter();
    const moved = await upstream.waitFor(
      'the moved flow',
      (m) =>
        m.topic === topic &&
        m.payload.values !== undefined &&
        (m.payload.values as Record<string, number>).flow_m3h === 40,
    );
    const message = telemetryMessageSchema.parse(moved.payload);
    const between = sent().slice(before);
    // Five polls and more went by: at most one heartbeat besides the moved value.
    expect(between.filter((m) => m.seq !== message.seq).length).toBeLessThanOrEqual(1);
    const heartbeats = between.filter((m) => Object.keys(m.values).length > 1);
    // Alone, unless a heartbeat fell due in the same poll.
    if (!heartbeats.some((m) => m.seq === message.seq))
      expect(Object.keys(message.values)).toEqual(['flow_m3h']);
    // Nothing but heartbeats carried the held values.
    for (const m of between.filter((x) => x.values.flow_m3h === 36.65))
      expect(Object.keys(m.values).length).toBeGreaterThan(1);
    for (const m of between.filter((x) => x.values.supply_temperature_c === 16.5))
      expect(Object.keys(m.values).length).toBeGreaterThan(1);
  });

  it('sends every step of a counter, so the platform’s last value is the meter’s', async () => {
    for (const total of [1201, 1202, 1205]) {
      meter.forward_total_m3 = total;
      serveMeter();
      await upstream.waitFor(
        `the total ${total}`,
        (m) =>
          m.topic === topic &&
          (m.payload.values as Record<string, number> | undefined)?.forward_total_m3 === total,
      );
    }
    const totals = sent()
      .map((m) => m.values.forward_total_m3)
      .filter((v): v is number => v !== undefined);
    expect(totals.at(-1)).toBe(1205);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    // What was held never took a seq: the device's seqs have no gap, so a gap means loss.
    const seqs = sent().map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('reports a meter that stops answering within its polls, and sends it whole when it answers again', async () => {
    server.setSilent(UNIT, true);
    const events = topics.event('test-site', 'gw-test', 'flow-a');
    await upstream.waitFor(
      'device_offline',
      (m) => m.topic === events && m.payload.type === 'device_offline',
      20_000,
    );
    const before = sent().length;
    server.setSilent(UNIT, false);
    await upstream.waitFor(
      'device_online',
      (m) => m.topic === events && m.payload.type === 'device_online',
      20_000,
    );
    await waitFor('a reading after it', () => sent().length > before, { timeoutMs: 10_000, intervalMs: 20 });
    const back = sent()[before]!;
    expect(Object.keys(back.values).sort()).toEqual(Object.keys(sent()[0]!.values).sort());
    expect(back.values.flow_m3h).toBe(40);
  });
});
