import { describe, expect, it } from 'vitest';
import { SiteIndex } from '../engine/site-index.js';
import { renderMessage } from '../notify/message-text.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';
import { defaultRules, demoSites, engineHarness } from './engine-harness.js';

const rules = new Map(defaultRules().map((r) => [r.id, r]));
const messages = { sites: demoSites(), rules, utcOffsetMinutes: 480 };

/** The clinic's pressure meter gone silent: the engine's own alert. */
function silentClinicPressure() {
  const h = engineHarness({ rules: defaultRules(['meter-silent']) });
  h.telemetry('clinic-pressure', { pressure_mpa: 0.3 });
  h.run(120_000, 1_000);
  const alert = h.engine.alerts({ state: 'firing' }).find((a) => a.device === 'clinic-pressure');
  if (!alert) throw new Error('no meter-silent alert for clinic-pressure');
  return alert;
}

describe('messages name devices by the site file, in each language', () => {
  it('English names the device by its English name where Chinese names it by its name', () => {
    const alert = silentClinicPressure();
    const zh = renderMessage(alert, 'firing', 'zh', messages);
    const en = renderMessage(alert, 'firing', 'en', messages);
    expect(zh.text).toContain('设备：卫生室进水压力 (clinic-pressure)');
    expect(en.text).toContain('Device: Clinic inlet water pressure (clinic-pressure)');
    expect(en.text).not.toContain('卫生室进水压力');
  });

  it('a gateway is named by the site file too, in each language', () => {
    const h = engineHarness({ rules: defaultRules(['gateway-clock-skew']) });
    h.telemetry('clinic-power', { voltage_v: 230 }, h.clock.now() + 600_000);
    const [skewed] = h.engine.alerts({ state: 'firing' });
    if (!skewed) throw new Error('no gateway-clock-skew alert');
    expect(renderMessage(skewed, 'firing', 'zh', messages).text).toContain('设备：中心机房网关 (gw-center)');
    expect(renderMessage(skewed, 'firing', 'en', messages).text).toContain(
      'Device: Central machine-room gateway (gw-center)',
    );
  });

  it('a device without an English name in the site file keeps its name in English, not its id alone', () => {
    const site = SiteRegistry.fromFile(DEMO_SITE_FILE).site;
    const sites = new SiteIndex([
      new SiteRegistry({ ...site, devices: site.devices.map((d) => ({ ...d, name_en: undefined })) }),
    ]);
    const en = renderMessage(silentClinicPressure(), 'firing', 'en', { ...messages, sites });
    expect(en.text).toContain('Device: 卫生室进水压力 (clinic-pressure)');
  });
});
