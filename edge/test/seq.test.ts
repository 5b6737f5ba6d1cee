import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryMessageSchema, topics } from '../../contracts/index.js';
import { encodeReading, getModbusProfile } from '../../devices/index.js';
import { SEQ_CRASH_MARGIN, SeqStore } from '../seq-store.js';
import { ModbusTestServer } from './support/modbus-test-server.js';
import { UpstreamBroker } from './support/upstream-broker.js';
import { startGateway, tempDir, testConfig, testLogger } from './support/gateway-harness.js';

const profile = getModbusProfile('chint-ddsu666');

describe('seq', () => {
  const server = new ModbusTestServer();
  const upstream = new UpstreamBroker();
  let dir: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    dir = await tempDir();
    await Promise.all([server.start(), upstream.start()]);
    server.serve(7, encodeReading(profile, { voltage_v: 231, current_a: 2 }));
  });

  afterAll(async () => {
    await Promise.all([server.stop(), upstream.stop()]);
    await dir?.remove();
  });

  it('continues after a stop and start with the same dataDir', async () => {
    const config = testConfig(upstream.url, join(dir.path, 'gateway'), {
      modbus: {
        buses: [server.bus([{ id: 'meter', profile: profile.id, unitId: 7, pollIntervalS: 0.1 }])],
      },
    });
    const topic = topics.telemetry('test-site', 'gw-test', 'meter');
    const seqs = () => upstream.on(topic).map((m) => telemetryMessageSchema.parse(m.payload).seq);

    let gateway = await startGateway(config);
    await upstream.waitFor('3 readings', () => seqs().length >= 3);
    await gateway.stop();
    const firstRun = gateway.devices()[0]?.successCount ?? 0;

    // A reading taken while the first run was stopping waits in its disk buffer and goes out
    // with the second run's; every seq is still used once, with no gap and no restart at 0.
    gateway = await startGateway(config);
    await upstream.waitFor(
      'every reading of the first run and one of the second',
      () => seqs().length > firstRun,
    );
    await gateway.stop();
    const all = seqs();
    expect([...all].sort((a, b) => a - b)).toEqual([...all.keys()]);
  });

  it('skips ahead after a crash so no seq is reused', async () => {
    const dataDir = join(dir.path, 'crash');
    const first = new SeqStore({ dataDir, logger: testLogger });
    await first.start();
    for (let i = 0; i < 5; i++) first.next('meter');
    await first.flush();
    // No stop(): the process "died". Counters handed out after the last flush are not in the file,
    // nor is a device first seen after it (a door whose first event came just before the crash).
    first.next('meter');
    expect(first.next('door')).toBe(0);
    const file = JSON.parse(await readFile(join(dataDir, 'seq.json'), 'utf8'));
    expect(file).toMatchObject({ clean: false, counters: { meter: 4 } });
    expect(file.counters).not.toHaveProperty('door');
    const second = new SeqStore({ dataDir, logger: testLogger });
    await second.start();
    expect(second.next('meter')).toBe(4 + SEQ_CRASH_MARGIN + 1);
    expect(second.next('door')).toBe(SEQ_CRASH_MARGIN);
    await second.stop();
    // After a clean stop the file is exact: a device seen for the first time starts at 0.
    const afterCleanStop = new SeqStore({ dataDir, logger: testLogger });
    await afterCleanStop.start();
    expect(afterCleanStop.next('door')).toBe(SEQ_CRASH_MARGIN + 1);
    expect(afterCleanStop.next('new-device')).toBe(0);
    await afterCleanStop.stop();
    await writeFile(join(dataDir, 'seq.json'), 'garbage');
    const third = new SeqStore({ dataDir, logger: testLogger });
    await third.start();
    expect(third.next('meter')).toBe(0);
    await third.stop();
  });
});
