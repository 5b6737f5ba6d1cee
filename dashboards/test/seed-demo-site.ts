import { EVENT_SEVERITY, type EventType } from '../../contracts/index.js';
import { profileFields, telemetryMeasurement } from '../../devices/index.js';
import { DEMO_SITE_FILE, SiteRegistry, type RegisteredDevice } from '../../site/index.js';

/**
 * Realistic line-protocol points for the demo site, shaped as ingest writes them
 * (ingest/influx/map-points.ts): telemetry floats plus integer `seq`, events with
 * severity and data_json, gateway status and health, and alert state changes.
 */
const MINUTES = 90;
const MINUTE_MS = 60_000;

type Value = number | { int: number } | string;

function line(
  measurement: string,
  tags: Record<string, string>,
  fields: Record<string, Value>,
  ts: number,
): string {
  const tagText = Object.keys(tags)
    .sort()
    .map((k) => `,${k}=${tags[k]}`)
    .join('');
  const fieldText = Object.entries(fields)
    .map(([k, v]) => {
      if (typeof v === 'number') return `${k}=${v}`;
      if (typeof v === 'string') return `${k}="${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      return `${k}=${Math.trunc(v.int)}i`;
    })
    .join(',');
  return `${measurement}${tagText} ${fieldText} ${ts}`;
}

/** A plausible reading of a catalogue field at minute `i` (wave keeps series from being flat). */
function reading(field: string, i: number, peak: number): number {
  const wave = Math.sin(i / 7);
  if (/^voltage/.test(field)) return 229 + 3 * wave;
  if (/^current/.test(field)) return 8 + 2 * wave;
  if (field === 'active_power_w') return peak * (0.4 + 0.2 * wave);
  if (field === 'active_power_kw') return (peak / 1000) * (0.4 + 0.2 * wave);
  if (field === 'reactive_power_kvar') return 0.4;
  if (field === 'power_factor_ratio') return 0.95;
  if (field === 'frequency_hz') return 50 + 0.03 * wave;
  if (/energy_kwh$/.test(field)) return field.startsWith('export') ? 0 : 12_000 + i * 0.2;
  if (field === 'flow_m3h') return Math.max(0.2, peak * (0.3 + 0.2 * wave));
  if (field === 'velocity_mps') return 0.8;
  if (/total_m3$/.test(field)) return field.startsWith('reverse') ? 0 : 3_000 + i * 0.05;
  if (/temperature_c$/.test(field)) return 16;
  if (field === 'error_code') return 0;
  if (field === 'signal_quality_pct') return 92;
  if (field === 'pressure_mpa') return 0.21 + 0.02 * wave;
  if (field === 'level_m') return 3 + 0.4 * wave;
  if (field === 'turbidity_ntu') return 0.3;
  if (field === 'water_ph') return 7.2;
  if (field === 'free_chlorine_mgl') return 0.4;
  if (field === 'battery_pct') return 95 - i * 0.05;
  throw new Error(`the seeder has no value for field "${field}"`);
}

function deviceTags(site: string, d: RegisteredDevice): Record<string, string> {
  return {
    site,
    zone: d.device.zone,
    building: d.device.building,
    device: d.device.id,
    model: d.profile.id,
    gateway: d.device.gateway,
  };
}

const EVENTS_BY_CATEGORY: Partial<Record<string, EventType[]>> = {
  camera: ['camera_online', 'object_detected', 'camera_offline', 'camera_online'],
  'access-control': ['device_online', 'door_opened', 'door_closed', 'door_forced'],
  'fire-panel': ['fire_fault', 'fire_fault_cleared', 'fire_alarm', 'fire_reset'],
  'emergency-light': ['emergency_self_test', 'emergency_battery_fault', 'emergency_mains_lost'],
};

export function demoSiteLines(nowMs: number): string[] {
  const registry = SiteRegistry.fromFile(DEMO_SITE_FILE);
  const site = registry.siteId;
  const lines: string[] = [];
  const start = nowMs - MINUTES * MINUTE_MS;
  for (const d of registry.all()) {
    const fields = profileFields(d.profile);
    const peak = d.device.simulation.peak ?? 5000;
    const measurement = telemetryMeasurement(d.profile);
    if (fields.length > 0) {
      for (let i = 0; i < MINUTES; i++) {
        const values: Record<string, Value> = { seq: { int: i } };
        for (const f of fields) values[f] = reading(f, i, peak);
        lines.push(line(measurement, deviceTags(site, d), values, start + i * MINUTE_MS));
      }
    }
    (EVENTS_BY_CATEGORY[d.profile.category] ?? []).forEach((type, n) => {
      const ts = start + (35 + n * 12) * MINUTE_MS;
      lines.push(
        line(
          'safety_event',
          { ...deviceTags(site, d), type },
          {
            seq: { int: 1000 + n },
            severity: EVENT_SEVERITY[type],
            data_json: JSON.stringify({ note: `seeded ${type}` }),
          },
          ts,
        ),
      );
    });
  }
  for (const gateway of registry.site.gateways) {
    for (let i = 0; i < MINUTES; i++) {
      const ts = start + i * MINUTE_MS;
      const tags = { site, gateway: gateway.id };
      lines.push(
        line(
          'device_status',
          tags,
          {
            state: 'online',
            online: { int: 1 },
            version: '0.1.0',
            uptime_s: i * 60,
            buffer_depth: { int: 0 },
          },
          ts,
        ),
        line(
          'gateway_health',
          tags,
          {
            cpu_pct: 12.5,
            memory_rss_bytes: { int: 90_000_000 },
            disk_free_bytes: { int: 8_000_000_000 },
            buffer_depth: { int: i % 10 === 0 ? 25 : 0 },
            uptime_s: i * 60,
            poll_ok_count: { int: i * 120 },
            poll_error_count: { int: Math.floor(i / 3) },
            devices_online: { int: 55 },
            devices_offline: { int: 1 },
          },
          ts,
        ),
      );
    }
  }
  const alertTags = { site, zone: 'public-services', rule: 'water-pressure-low', severity: 'critical' };
  const alert = {
    alert_id: 'a-1',
    device: 'clinic-pressure',
    value: 0.03,
    message: 'Water pressure below 0.05 MPa',
    message_zh: '水压低于 0.05 MPa',
  };
  lines.push(
    line('alert', { ...alertTags, state: 'firing' }, alert, start + 40 * MINUTE_MS),
    line(
      'alert',
      { ...alertTags, state: 'acknowledged' },
      { ...alert, ack_delay_s: 240 },
      start + 44 * MINUTE_MS,
    ),
    line('alert', { ...alertTags, state: 'resolved' }, { ...alert, value: 0.2 }, start + 70 * MINUTE_MS),
  );
  return lines;
}

/** Writes the demo site's points to any InfluxDB 1.x-compatible `/write` endpoint. */
export async function seedDemoSite(url: string, database: string, nowMs = Date.now()): Promise<number> {
  const lines = demoSiteLines(nowMs);
  const response = await fetch(`${url}/write?${new URLSearchParams({ db: database, precision: 'ms' })}`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  if (response.status !== 204) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  return lines.length;
}
