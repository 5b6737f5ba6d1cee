import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchMessageSchema, eventMessageSchema, telemetryMessageSchema } from '../../contracts/index.js';
import { encodeReading, getModbusProfile, HIKVISION_EVENT_CODES } from '../../devices/index.js';
import { freePort, waitFor } from '../../runtime/index.js';
import { addLanCredential } from '../lan/lan-credentials.js';
import { SEQ_CRASH_MARGIN } from '../seq-store.js';
import { tempDir, writeTestConfig } from './support/gateway-harness.js';
import { GatewayProcess } from './support/gateway-process.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { missing } from './support/seq-checks.js';
import { UpstreamBroker, type ReceivedMessage } from './support/upstream-broker.js';

const profile = getModbusProfile('chint-ddsu666');
const METERS = ['meter-1', 'meter-2'];
const DOOR = { id: 'hall-door', profile: 'hikvision-door', vendorId: 'DS50468' };
const PANEL = { id: 'hall-fire-panel', profile: 'gst-fire-panel', vendorId: 'panel_hall' };

/** Each vendor message at QoS 1: the device keeps it until its PUBACK. */
const QOS1 = { qos: 1 } as const;

interface Item {
  device: string;
  seq: number;
  type?: string;
}

/** Every telemetry and event item the central side received, from batches and device topics alike. */
function itemsOf(messages: readonly ReceivedMessage[]): Item[] {
  const items: Item[] = [];
  for (const { topic, payload } of messages) {
    const parts = topic.split('/');
    if (parts[3] === 'batch') {
      const batch = batchMessageSchema.parse(payload);
      items.push(...batch.telemetry, ...batch.events);
    } else if (parts[4] === 'telemetry') {
      items.push({ device: parts[3] as string, ...telemetryMessageSchema.parse(payload) });
    } else if (parts[4] === 'event') {
      items.push({ device: parts[3] as string, ...eventMessageSchema.parse(payload) });
    }
  }
  return items;
}

function seqsOf(items: readonly Item[], device: string, below = Infinity, from = 0): Set<number> {
  return new Set(
    items.filter((i) => i.device === device && i.seq >= from && i.seq < below).map((i) => i.seq),
  );
}

function find(items: readonly Item[], device: string, type: string): Item | undefined {
  return items.find((i) => i.device === device && i.type === type);
}

describe('a kill -9 in batch mode loses nothing a device was acknowledged for, nor more than a flush window', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateway: GatewayProcess;
  let lanPort: number;
  let password: string;
  let lan: MqttClient | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([server.start(), upstream.start()]);
    server.serve(1, encodeReading(profile, { voltage_v: 231, current_a: 2 }));
    server.serve(2, encodeReading(profile, { voltage_v: 219, current_a: 7 }));
    const credentialsFile = join(dir.path, 'lan-credentials.json');
    ({ password } = await addLanCredential(credentialsFile, {
      username: 'hall-devices',
      devices: [DOOR.id, PANEL.id],
    }));
    const httpPort = await freePort();
    lanPort = await freePort();
    const configFile = join(dir.path, 'edge.yaml');
    await writeTestConfig(configFile, upstream.url, join(dir.path, 'gateway'), {
      lan: { enabled: true, host: '127.0.0.1', port: lanPort, credentialsFile },
      mqttDevices: [DOOR, PANEL],
      http: { port: httpPort },
      // A batch a minute, as in the demo village: nothing gathered leaves before the kill.
      publish: { mode: 'batch', batchIntervalMs: 60_000 },
      buffer: { flushIntervalMs: 250 },
      modbus: {
        buses: [
          server.bus(
            METERS.map((id, i) => ({
              id,
              profile: profile.id,
              unitId: i + 1,
              pollIntervalS: 0.1,
            })),
          ),
        ],
      },
    });
    gateway = new GatewayProcess(configFile, httpPort);
  });

  afterAll(async () => {
    await lan?.endAsync(true);
    await gateway?.kill('SIGKILL');
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
  });

  /** A foreign device's client on the LAN broker, logged in with its LAN credential. */
  async function lanClient(): Promise<MqttClient> {
    await lan?.endAsync(true);
    lan = connect(`mqtt://127.0.0.1:${lanPort}`, {
      username: 'hall-devices',
      password,
      clientId: 'hall-nvr',
      reconnectPeriod: 0,
    });
    const client = lan;
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return client;
  }

  async function readings(): Promise<Map<string, number>> {
    const body = (await (await fetch(`${gateway.url}/api/devices`)).json()) as {
      devices: Array<{ id: string; successCount: number }>;
    };
    return new Map(body.devices.map((d) => [d.id, d.successCount]));
  }

  it('keeps what was gathered for a minute-long batch, and every event a LAN device had its PUBACK for', async () => {
    await gateway.start();
    let client = await lanClient();
    await waitFor('a few readings of each meter gathered', async () => {
      const taken = await readings();
      return METERS.every((m) => (taken.get(m) ?? 0) >= 5);
    });
    const takenBefore = await readings();
    // The PUBACK of an info event says it, and everything gathered before it, is on disk.
    await client.publishAsync(
      'hikvision/DS50468/event',
      JSON.stringify({ minor: HIKVISION_EVENT_CODES.doorOpenedNormally, door: 1 }),
      QOS1,
    );
    await gateway.kill('SIGKILL');
    expect(itemsOf(upstream.messages).filter((i) => i.seq < SEQ_CRASH_MARGIN)).toEqual([]);

    await gateway.start();

    await waitFor(
      'the gathered items arrive after the restart',
      () => find(itemsOf(upstream.messages), DOOR.id, 'door_opened'),
      { timeoutMs: 10_000 },
    );
    let items = itemsOf(upstream.messages);
    // Their seqs as they were given before the crash (after it, seqs start past the crash margin).
    expect(find(items, DOOR.id, 'door_opened')!.seq).toBeLessThan(SEQ_CRASH_MARGIN);
    expect(missing(seqsOf(items, DOOR.id, SEQ_CRASH_MARGIN), 0, 1)).toEqual([]);
    for (const meter of METERS) {
      const before = seqsOf(items, meter, SEQ_CRASH_MARGIN);
      expect(before.size, meter).toBeGreaterThanOrEqual(takenBefore.get(meter)!);
      expect(missing(before, 0, Math.max(...before)), meter).toEqual([]);
    }

    // A critical event goes at once; the info event after it is gathered again. Both acknowledged, both kept.
    client = await lanClient();
    await Promise.all([
      client.publishAsync(
        'firepanel/panel_hall/event',
        JSON.stringify({ event: 'FIRE', loop: 1, address: 17 }),
        QOS1,
      ),
      client.publishAsync(
        'hikvision/DS50468/event',
        JSON.stringify({ minor: HIKVISION_EVENT_CODES.doorClosedNormally, door: 1 }),
        QOS1,
      ),
    ]);
    await gateway.kill('SIGKILL');

    await gateway.start();
    await waitFor(
      'both events arrive after the restart',
      () => {
        const now = itemsOf(upstream.messages);
        return find(now, DOOR.id, 'door_closed') && find(now, PANEL.id, 'fire_alarm');
      },
      { timeoutMs: 10_000 },
    );
    items = itemsOf(upstream.messages);
    // The second run's seqs lie between one crash margin and the next; none is missing
    // up to the last one sent (door_closed kept the seq it was given).
    const secondRun = (device: string) => seqsOf(items, device, 2 * SEQ_CRASH_MARGIN, SEQ_CRASH_MARGIN);
    const doorSeqs = secondRun(DOOR.id);
    expect(doorSeqs.has(find(items, DOOR.id, 'door_closed')!.seq)).toBe(true);
    expect(secondRun(PANEL.id).has(find(items, PANEL.id, 'fire_alarm')!.seq)).toBe(true);
    for (const device of [DOOR.id, ...METERS]) {
      const seqs = secondRun(device);
      expect(missing(seqs, Math.min(...seqs), Math.max(...seqs)), device).toEqual([]);
    }
  });
});
