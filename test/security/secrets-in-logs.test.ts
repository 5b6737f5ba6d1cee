import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential } from '../../broker/index.js';
import { topics } from '../../contracts/index.js';
import { PROJECT_ROOT, freePort, waitFor } from '../../runtime/index.js';
import { ServiceProcess } from '../../stack/index.js';
import { httpsRequest } from './support/https-request.js';
import { tryConnect } from './support/mqtt-outcome.js';
import { createTestCa, type PemPair, type TestCa } from './support/test-ca.js';

const run = promisify(execFile);

/** Every value here is a secret some component is handed; none may reach a log line. */
const SECRET = {
  adminPassword: 'admin-pw-S3cr3t-4f1d2c',
  gatewayPassword: 'gateway-pw-S3cr3t-9a7b3e',
  alertingMqttPassword: 'alerting-pw-S3cr3t-51c0de',
  attackerPassword: 'attacker-guess-S3cr3t-77aa01',
  apiToken: 'api-token-S3cr3t-0b6e5d4c3b2a',
  attackerToken: 'attacker-token-S3cr3t-1f2e3d',
  webhookSecret: 'webhook-secret-S3cr3t-ab12cd',
  influxPassword: 'influx-pw-S3cr3t-6e6e6e',
  /** In a URL's query string (WeCom's `key=`); the MQTT URL carries alerting's password in its userinfo. */
  robotKey: 'robot-key-S3cr3t-5d5d5d',
};

const SITE = 'demo-village';
const GATEWAY = 'gw-center';

/** The base64 lines of a PEM file: the key material itself. */
function pemBody(pem: Buffer): string[] {
  return pem
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
}

describe('no secret reaches the logs of the broker, its CLI and alerting', () => {
  let dir: string;
  let ca: TestCa;
  let brokerPem: PemPair;
  let alertingPem: PemPair;
  let broker: ServiceProcess;
  let alerting: ServiceProcess;
  let cliOutput = '';
  let ports: { mqtt: number; mqtts: number; brokerHttp: number; alertingHttp: number };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secrets-in-logs-'));
    ca = createTestCa('logs');
    brokerPem = ca.server('broker');
    alertingPem = ca.server('alerting');
    const credentialsFile = join(dir, 'credentials.json');
    ports = {
      mqtt: await freePort(),
      mqtts: await freePort(),
      brokerHttp: await freePort(),
      alertingHttp: await freePort(),
    };

    const cli = async (...args: string[]) => {
      const { stdout, stderr } = await run(
        process.execPath,
        ['--import', 'tsx', 'broker/cli.ts', ...args, '--file', credentialsFile],
        { cwd: PROJECT_ROOT, env: { ...process.env, LOG_LEVEL: 'trace' } },
      );
      cliOutput += stdout + stderr;
    };
    await cli(
      'add',
      GATEWAY,
      '--role',
      'gateway',
      '--site',
      SITE,
      '--gateway',
      GATEWAY,
      '--password',
      SECRET.gatewayPassword,
    );
    await addCredential(credentialsFile, {
      username: 'admin',
      role: 'admin',
      sites: ['*'],
      password: SECRET.adminPassword,
    });
    await addCredential(credentialsFile, {
      username: 'alerting',
      role: 'alerting',
      sites: [SITE],
      password: SECRET.alertingMqttPassword,
    });
    await cli('list');
    await cli('list', '--json');

    broker = new ServiceProcess({
      name: 'broker',
      entry: 'broker/main.ts',
      logFile: join(dir, 'broker.log'),
      readyUrl: `http://127.0.0.1:${ports.brokerHttp}/readyz`,
      env: {
        LOG_LEVEL: 'trace',
        BROKER_MQTT_PORT: String(ports.mqtt),
        BROKER_HTTP_PORT: String(ports.brokerHttp),
        BROKER_CREDENTIALS_FILE: credentialsFile,
        BROKER_PERSISTENCE_DIR: join(dir, 'sessions'),
        BROKER_TLS_PORT: String(ports.mqtts),
        BROKER_TLS_CERT_FILE: brokerPem.certFile,
        BROKER_TLS_KEY_FILE: brokerPem.keyFile,
      },
    });
    await broker.start();

    alerting = new ServiceProcess({
      name: 'alerting',
      entry: 'alerting/main.ts',
      logFile: join(dir, 'alerting.log'),
      env: {
        LOG_LEVEL: 'trace',
        ALERTING_HTTP_PORT: String(ports.alertingHttp),
        ALERTING_DATA_DIR: join(dir, 'alerting'),
        // A URL with credentials in it is logged when alerting connects: they must not be.
        ALERTING_MQTT_URL: `mqtt://alerting:${SECRET.alertingMqttPassword}@127.0.0.1:${ports.mqtt}`,
        ALERTING_MQTT_USERNAME: 'alerting',
        ALERTING_MQTT_PASSWORD: SECRET.alertingMqttPassword,
        ALERTING_API_TOKEN: SECRET.apiToken,
        // Nothing listens there: deliveries and history writes fail and get logged.
        ALERTING_WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/cgi-bin/webhook/send?key=${SECRET.robotKey}`,
        ALERTING_WEBHOOK_SECRET: SECRET.webhookSecret,
        INFLUX_URL: `http://127.0.0.1:${await freePort()}`,
        INFLUX_USERNAME: 'village',
        INFLUX_PASSWORD: SECRET.influxPassword,
        ALERTING_HTTPS_CERT_FILE: alertingPem.certFile,
        ALERTING_HTTPS_KEY_FILE: alertingPem.keyFile,
      },
    });
    await alerting.start({ waitReady: false });
    const base = `https://127.0.0.1:${ports.alertingHttp}`;
    await waitFor(
      'alerting subscribed (ready)',
      async () => (await httpsRequest(`${base}/readyz`, ca.ca)).status === 200,
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  afterAll(async () => {
    await alerting?.stop();
    await broker?.stop();
    ca?.remove();
    if (dir && !process.env.KEEP_SECURITY_LOGS) await rm(dir, { recursive: true, force: true });
  });

  it('logs the refusals, alerts and failures without any secret in them', async () => {
    const base = `https://127.0.0.1:${ports.alertingHttp}`;
    const mqtts = `mqtts://127.0.0.1:${ports.mqtts}`;

    // An attacker guesses a password and an API token.
    expect(
      await tryConnect(mqtts, { username: GATEWAY, password: SECRET.attackerPassword, ca: ca.ca }),
    ).toEqual({
      kind: 'refused',
      code: 4,
    });
    const guessed = await httpsRequest(`${base}/api/alerts`, ca.ca, {
      headers: { authorization: `Bearer ${SECRET.attackerToken}` },
    });
    expect(guessed.status).toBe(401);

    // The gateway reports a fire over TLS; alerting fires, tries the webhook and InfluxDB, both down.
    const gateway = await tryConnect(mqtts, {
      username: GATEWAY,
      password: SECRET.gatewayPassword,
      clientId: GATEWAY,
      ca: ca.ca,
    });
    if (gateway.kind !== 'connected') throw new Error(`gateway could not connect: ${gateway.kind}`);
    const event = { ts: Date.now(), seq: 1, type: 'fire_alarm', data: {} };
    await gateway.client.publishAsync(
      topics.event(SITE, GATEWAY, 'canteen-fire-panel'),
      JSON.stringify(event),
      {
        qos: 1,
      },
    );
    const auth = { authorization: `Bearer ${SECRET.apiToken}` };
    const firing = await waitFor(
      'fire alert through the API',
      async () => {
        const answer = await httpsRequest(`${base}/api/alerts?state=firing`, ca.ca, { headers: auth });
        const alerts = (JSON.parse(answer.body) as { alerts: Array<{ id: string; ruleId: string }> }).alerts;
        return alerts.find((a) => a.ruleId === 'fire-alarm');
      },
      { timeoutMs: 15_000 },
    );
    const ack = await httpsRequest(`${base}/api/alerts/${firing.id}/ack`, ca.ca, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(ack.status).toBe(400); // no body: a logged validation failure, with the token in the request
    await waitFor(
      'a failed webhook delivery',
      async () => {
        const answer = await httpsRequest(`${base}/api/deliveries?status=pending,sending,failed`, ca.ca, {
          headers: auth,
        });
        const deliveries = (JSON.parse(answer.body) as { deliveries: Array<{ attempts: number }> })
          .deliveries;
        return deliveries.some((d) => d.attempts >= 1);
      },
      { timeoutMs: 15_000 },
    );
    await gateway.client.endAsync(true);
    await alerting.stop();
    await broker.stop();

    const logs = {
      cli: cliOutput,
      broker: await readFile(join(dir, 'broker.log'), 'utf8'),
      alerting: await readFile(join(dir, 'alerting.log'), 'utf8'),
    };
    // The logs were written at trace level and saw what happened.
    expect(logs.cli).toContain(`added ${GATEWAY}`);
    expect(logs.broker).toContain('connection refused');
    expect(logs.broker).toContain('broker listening');
    expect(logs.alerting).toContain('alerting started');

    const secrets = [
      ...Object.values(SECRET),
      ...pemBody(brokerPem.key),
      ...pemBody(alertingPem.key),
      'scrypt$',
    ];
    const leaks = Object.entries(logs).flatMap(([source, text]) =>
      secrets.filter((secret) => text.includes(secret)).map((secret) => `${source}: ${secret}`),
    );
    expect(leaks).toEqual([]);
  });
});
