import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFilters, topics } from '../../contracts/index.js';
import { ServiceProcess } from '../../stack/index.js';
import {
  addSessionAccounts,
  closeAllClients,
  connectClient,
  connectCollecting,
  SESSION_ACCOUNTS,
  tempBrokerDir,
} from './harness.js';
import { freePort, waitFor } from '../../runtime/index.js';

const INGEST = { ...SESSION_ACCOUNTS.ingest, clientId: 'ingest-acks' };
const GATEWAY = SESSION_ACCOUNTS.gateway;
const TOPIC = topics.telemetry('s', 'gw-a', 'meter-1');
const BURST = 400;
const KILL_AT_ACK = 150;

/**
 * A PUBACK is the broker's promise to keep the message: the gateway deletes its copy on
 * it. aedes used to send it before storing the message for persistent subscribers
 * (patches/aedes+1.2.0.patch), so a kill -9 right after a PUBACK lost the message.
 * Here the broker is killed the moment its 150th PUBACK of a burst arrives: every
 * message acknowledged by then must reach the persistent consumer after the restart.
 */
describe('the broker acknowledges a QoS 1 message only once it is stored', () => {
  let dir: Awaited<ReturnType<typeof tempBrokerDir>>;
  let broker: ServiceProcess;
  let mqttUrl: string;

  beforeAll(async () => {
    dir = await tempBrokerDir();
    await addSessionAccounts(dir.credentialsFile);
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    broker = new ServiceProcess({
      name: 'broker',
      entry: 'broker/main.ts',
      logFile: join(dir.path, 'broker.log'),
      readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
      env: {
        BROKER_MQTT_PORT: String(mqttPort),
        BROKER_HTTP_PORT: String(httpPort),
        BROKER_CREDENTIALS_FILE: dir.credentialsFile,
        BROKER_PERSISTENCE_DIR: dir.sessionsDir,
        LOG_LEVEL: 'warn',
      },
    });
    await broker.start();
  }, 60_000);

  afterAll(async () => {
    await closeAllClients();
    await broker?.stop();
    await dir?.remove();
  });

  it('keeps every message it acknowledged before a kill -9', async () => {
    const away = await connectClient(mqttUrl, INGEST);
    await away.subscribeAsync(topicFilters.siteStreams('s'), { qos: 1 });
    await away.endAsync();

    const gateway: MqttClient = await connectClient(mqttUrl, { ...GATEWAY, reconnectPeriod: 0 });
    gateway.on('error', () => undefined);
    const acked: number[] = [];
    const pid = broker.pid!;
    // Pipelined, as a gateway replaying its buffer sends them.
    for (let i = 0; i < BURST; i++) {
      gateway.publish(TOPIC, String(i), { qos: 1 }, (error) => {
        if (error) return;
        acked.push(i);
        if (acked.length === KILL_AT_ACK) process.kill(pid, 'SIGKILL');
      });
    }
    await waitFor('the broker killed', () => !broker.running, { timeoutMs: 10_000 });
    gateway.end(true);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AT_ACK);

    await broker.start();
    const { messages } = await connectCollecting(mqttUrl, INGEST);
    const lost = () => {
      const received = new Set(messages.map((m) => Number(m.payload)));
      return acked.filter((i) => !received.has(i));
    };
    await waitFor('every acknowledged message', () => lost().length === 0, { timeoutMs: 10_000 }).catch(
      () => undefined,
    );
    expect(lost()).toEqual([]);
  }, 60_000);
});
