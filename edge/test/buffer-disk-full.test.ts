import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { waitFor } from '../../runtime/index.js';
import {
  fillDisk,
  fillLastBytes,
  freeDisk,
  mountTmpfs,
  tmpfsAvailable,
  unmount,
} from '../../test/faults/support/index.js';
import type { Gateway } from '../gateway.js';
import { startGateway, tempDir, testConfig } from './support/gateway-harness.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';

const TMPFS = tmpfsAvailable();
const profile = getModbusProfile('eastron-sdm120');

/**
 * The gateway's disk (an SD card) fills up while the uplink is down and a meter is polled:
 * the gateway keeps running (an unhandled error fails the run), counts what it could not
 * keep, and once the disk has room and the uplink is back it buffers and delivers again.
 */
describe.skipIf(!TMPFS)('the gateway’s buffer disk full while the uplink is down', () => {
  const meter = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let disk: string;
  let gateway: Gateway | undefined;
  const readings = () => upstream.on(topics.telemetry('test-site', 'gw-test', 'meter-1')).length;

  beforeAll(async () => {
    dir = await tempDir();
    disk = join(dir.path, 'disk');
    mountTmpfs(disk, 24 * 1024 * 1024);
    await Promise.all([meter.start(), upstream.start()]);
    meter.serve(1, encodeReading(profile, { voltage_v: 231, current_a: 2 }));
    gateway = await startGateway(
      testConfig(upstream.url, join(disk, 'gateway'), {
        buffer: { flushIntervalMs: 50, diskCheckIntervalS: 0.2, reserveBytes: 2 * 1024 * 1024 },
        modbus: {
          buses: [meter.bus([{ id: 'meter-1', profile: profile.id, unitId: 1, pollIntervalS: 0.05 }])],
        },
      }),
    );
  });

  afterAll(async () => {
    try {
      await gateway?.stop();
      await Promise.all([meter.stop(), upstream.stop()]);
    } finally {
      // A tmpfs left mounted in /tmp outlives the run.
      unmount(disk);
      await dir?.remove();
    }
  });

  it('keeps running, counts what it could not keep, and buffers and delivers again once there is room', async () => {
    await waitFor('live readings', () => readings() >= 3);
    const port = upstream.port;
    await upstream.stop();
    await waitFor('readings buffered', () => (gateway?.bufferStats().depth ?? 0) >= 20);

    const filler = join(disk, 'filler');
    await fillDisk(filler, disk);
    fillLastBytes(filler);
    await waitFor('readings dropped for the full disk', () => (gateway?.bufferStats().dropped ?? 0) > 0, {
      timeoutMs: 15_000,
    });
    freeDisk(filler);
    rmSync(`${filler}.last`, { force: true });
    await waitFor('the buffer not in its low-disk mode', () => gateway?.bufferStats().diskLow === false, {
      timeoutMs: 15_000,
    });
    const depth = gateway!.bufferStats().depth;
    await waitFor('readings buffered again', () => (gateway?.bufferStats().depth ?? 0) >= depth + 10, {
      timeoutMs: 15_000,
    });

    const before = readings();
    await upstream.start(port);
    await waitFor(
      'the buffer delivered',
      () => gateway?.bufferStats().depth === 0 && readings() >= before + depth,
      {
        timeoutMs: 20_000,
      },
    );
    expect(gateway?.upstreamConnected).toBe(true);
  });
});
