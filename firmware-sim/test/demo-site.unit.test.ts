import { describe, expect, it } from 'vitest';
import { decodeReading, encodeReading } from '../../devices/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';
import { NORMAL_CONDITIONS } from '../models/conditions.js';
import { createDeviceModel } from '../models/create-model.js';
import { deviceRandom } from '../random.js';

const MIDNIGHT_CST = Date.UTC(2024, 3, 30, 16, 0, 0);

describe('the demo village', () => {
  const site = SiteRegistry.fromFile(DEMO_SITE_FILE);

  it('every polled device serves, round the clock, values its profile decodes without error', () => {
    const polled = site.all().filter((r) => r.profile.protocol === 'modbus');
    expect(polled.length).toBeGreaterThan(20);
    for (const registered of polled) {
      if (registered.profile.protocol !== 'modbus') continue;
      let now = MIDNIGHT_CST;
      const model = createDeviceModel(registered, {
        clock: () => now,
        random: deviceRandom(1, registered.device.id),
        utcOffsetMinutes: 480,
      });
      for (let hour = 0; hour < 24; hour++) {
        now = MIDNIGHT_CST + hour * 3_600_000;
        const values = model.read(NORMAL_CONDITIONS);
        const decoded = decodeReading(registered.profile, encodeReading(registered.profile, values));
        expect(decoded.errors, `${registered.device.id} at ${hour}:00`).toEqual([]);
        for (const [field, value] of Object.entries(decoded.values)) {
          expect(
            Math.abs(value - (values[field] as number)),
            `${registered.device.id} ${field}`,
          ).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value)));
        }
      }
    }
  });
});
