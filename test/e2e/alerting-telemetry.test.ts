import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../stack/index.js';
import { AlertingVillage } from '../support/alerting-village.js';
import { waitFor } from '../../runtime/index.js';

/**
 * Threshold behaviour through the whole pipeline that the incident scenarios
 * (test/scenarios) do not show: one alert per phase of a three-phase meter, and
 * hysteresis turning a supply that flaps across the threshold into one firing and one
 * resolve. Every incident class itself is proven in test/scenarios.
 */
describe('alerting end to end: per-phase thresholds and a flapping supply', () => {
  const village = new AlertingVillage({ name: 'alerting-telemetry' });
  const faults = new Map<string, string>();
  let flapping: Promise<void> = Promise.resolve();
  let flapStartedAt = 0;
  let flapEndedAt = 0;

  const inject = async (kind: string, target: string) =>
    faults.set(`${kind}@${target}`, await village.injectFault(kind, target));
  const clear = async (kind: string, target: string) => {
    await village.clearFault(faults.get(`${kind}@${target}`)!);
    faults.delete(`${kind}@${target}`);
  };
  const resolved = (ruleId: string, device?: string, timeoutMs = 60_000) =>
    village.webhook.next({ reason: 'resolved', ruleId, ...(device ? { device } : {}) }, timeoutMs);

  beforeAll(async () => {
    await village.start();
    await inject('overvoltage', 'incubator-power');
    // A supply swinging across both overvoltage thresholds every 2 s for 30 s.
    flapping = (async () => {
      flapStartedAt = Date.now();
      for (let i = 0; i < 8; i++) {
        const id = await village.injectFault('overvoltage', 'fab-lab-power');
        await sleep(2_000);
        await village.clearFault(id);
        await sleep(2_000);
      }
      flapEndedAt = Date.now();
    })();
  }, 120_000);

  afterAll(async () => {
    await flapping.catch(() => undefined);
    await village.stop();
  }, 60_000);

  it('a three-phase meter out of band raises one alert per phase, and each resolves after 30 s clean', async () => {
    const phases = await waitFor('an overvoltage alert per phase', () => {
      const subjects = village.webhook
        .matching({ reason: 'firing', ruleId: 'overvoltage', device: 'incubator-power' })
        .map((r) => r.notice.alert.subject)
        .sort();
      return subjects.length >= 3 ? subjects : undefined;
    });
    expect(phases).toEqual(['l1', 'l2', 'l3'].map((p) => `incubator-power:voltage_${p}_v`));
    await clear('overvoltage', 'incubator-power');
    const cleared = Date.now();
    for (const subject of phases) {
      const notice = await village.webhook.next(
        { reason: 'resolved', ruleId: 'overvoltage', subject },
        90_000,
      );
      expect(notice.receivedAt - cleared).toBeGreaterThanOrEqual(30_000);
    }
  }, 150_000);

  it('a supply flapping across the threshold every 2 s for 30 s gives one firing and one resolve', async () => {
    await flapping;
    const notice = await resolved('overvoltage', 'fab-lab-power', 60_000);
    expect(notice.receivedAt - flapEndedAt).toBeGreaterThan(0);
    // The signal really crossed both thresholds several times (as stored by ingest).
    const rows = rowsOf(
      await village.stack.influxd!.query(
        village.stack.database,
        `SELECT voltage_v FROM electricity WHERE device = 'fab-lab-power' AND time >= ${flapStartedAt}ms AND time <= ${flapEndedAt}ms`,
      ),
    );
    const volts = rows.map((r) => r.voltage_v as number);
    expect(volts.filter((v) => v > 235.4).length).toBeGreaterThanOrEqual(2);
    expect(volts.filter((v) => v <= 233).length).toBeGreaterThanOrEqual(2);
    const reasons = village.webhook
      .matching({ ruleId: 'overvoltage', device: 'fab-lab-power' })
      .map((r) => r.notice.reason);
    expect(reasons).toEqual(['firing', 'resolved']);
  }, 120_000);
});
