import { DEMO_SITE_FILE, loadSite, siteSchema, type Site } from '../../site/index.js';

/**
 * November 2026 (China time) of a small village, one reading a minute per meter, with
 * what a real month has: a counter reset, a replaced meter, a two-hour gap, a one-hour
 * zone outage, voltage outside its limits for known minutes, and a leak at night. The
 * expected figures in monthly-report.test.ts are worked out by hand from these rules.
 */
export const MINUTE = 60_000;
export const FROM = Date.UTC(2026, 9, 31, 16); // 2026-11-01 00:00 +08:00
export const MINUTES = 30 * 1440;

/** 2026-11-<day> hh:mm, China time → ms. */
export function local(day: number, hh: number, mm = 0): number {
  return Date.UTC(2026, 10, day, hh, mm) - 8 * 3_600_000;
}
/** Minute index of a local time. */
export const at = (day: number, hh: number, mm = 0) => (local(day, hh, mm) - FROM) / MINUTE;
const within = (i: number, from: number, to: number) => i >= from && i < to;
const localHourOf = (i: number) => new Date(FROM + i * MINUTE + 8 * 3_600_000).getUTCHours();
const localDayOf = (i: number) => new Date(FROM + i * MINUTE + 8 * 3_600_000).getUTCDate();

export const REPLACED_AT = at(18, 10);
export const RESET_AT = at(15, 12);

/** The demo village cut down to two zones, read (and sent) every minute, with tenants and a replacement. */
export function seededSite(): Site {
  const demo = loadSite(DEMO_SITE_FILE);
  const keep = [
    'maker-hall-power',
    'fab-lab-power',
    'maker-hall-flow',
    'maker-hall-pressure',
    'clinic-power',
    'clinic-flow',
    'clinic-pressure',
    'water-station-flow',
    'water-station-quality',
  ];
  return siteSchema.parse({
    ...demo,
    // Every reading sent, as the seeded month writes them.
    reporting: {},
    devices: demo.devices.filter((d) => keep.includes(d.id)).map((d) => ({ ...d, pollIntervalS: 60 })),
    tenants: [
      {
        id: 'maker-team',
        name: '创客团队',
        name_en: 'Maker team',
        meters: [
          { device: 'fab-lab-power' },
          { device: 'maker-hall-power', share: 0.5 },
          { device: 'maker-hall-flow', share: 0.5 },
        ],
      },
      {
        id: 'clinic',
        name: '卫生室',
        name_en: 'Clinic',
        meters: [{ device: 'clinic-power' }, { device: 'clinic-flow' }],
      },
    ],
    metering: {
      waterMains: ['water-station-flow'],
      meterChanges: [
        {
          device: 'clinic-power',
          at: '2026-11-18T10:00:00+08:00',
          // the old register after minute REPLACED_AT − 1: 2000 + 0.05 kWh a minute
          finalReading: 2000 + 0.05 * REPLACED_AT,
          initialReading: 100,
        },
      ],
    },
  });
}

type Fields = Record<string, number>;

function line(
  measurement: string,
  device: string,
  zone: string,
  building: string,
  model: string,
  fields: Fields,
  t: number,
  seq: number,
): string {
  const values = Object.entries(fields)
    .map(([k, v]) => `${k}=${Number(v.toFixed(6))}`)
    .join(',');
  return `${measurement},site=demo-village,zone=${zone},building=${building},device=${device},model=${model},gateway=gw-center ${values},seq=${seq}i ${t}`;
}

/** Every point of the month, plus each meter's reading one minute before it (the registers' baseline). */
export function seededLines(): string[] {
  const lines: string[] = [];
  let makerEnergy = 5000; // import_energy_kwh, reset to 0 at RESET_AT
  let fabEnergy = 100;
  let clinicOld = 2000;
  let clinicNew = 100;
  let makerVolume = 10_000;
  let clinicVolume = 500;
  let mainVolume = 80_000;
  const push = (
    i: number,
    measurement: string,
    device: string,
    zone: string,
    building: string,
    model: string,
    f: Fields,
  ) => lines.push(line(measurement, device, zone, building, model, f, FROM + i * MINUTE, i + 10));
  for (let i = -1; i < MINUTES; i++) {
    const hour = localHourOf(i);
    const day = localDayOf(i);
    // maker hall (three-phase): 6 kW, 12 kW on 10 Nov 09:00–09:30; 49.7 Hz on 12 Nov 10:00–10:12
    const makerW = within(i, at(10, 9), at(10, 9, 30)) ? 12_000 : 6000;
    if (i >= 0) makerEnergy = i === RESET_AT ? makerW / 60_000 : makerEnergy + makerW / 60_000;
    push(i, 'electricity', 'maker-hall-power', 'maker-workspace', 'maker-hall', 'chint-dtsu666', {
      voltage_l1_v: 230,
      voltage_l2_v: 230,
      voltage_l3_v: 230,
      active_power_w: makerW,
      frequency_hz: within(i, at(12, 10), at(12, 10, 12)) ? 49.7 : 50,
      import_energy_kwh: makerEnergy,
    });
    // fab lab (single-phase): 1.2 kW; 240 V on 5 Nov 14:00–15:30, 190 V on 20 Nov 08:00–08:45
    if (i >= 0) fabEnergy += 0.02;
    const fabV = within(i, at(5, 14), at(5, 15, 30)) ? 240 : within(i, at(20, 8), at(20, 8, 45)) ? 190 : 222;
    push(i, 'electricity', 'fab-lab-power', 'maker-workspace', 'fab-lab', 'chint-ddsu666', {
      voltage_v: fabV,
      active_power_kw: 1.2,
      frequency_hz: 50,
      total_energy_kwh: fabEnergy,
    });
    // clinic: 3 kW; out 22 Nov 03:00–04:00 (zone outage); silent 8 Nov 10:00–12:00 (gap);
    // replaced 18 Nov 10:00, silent until 10:10
    const outage = within(i, at(22, 3), at(22, 4));
    const clinicKwh = outage ? 0 : 0.05;
    if (i >= 0 && i < REPLACED_AT) clinicOld += clinicKwh;
    if (i >= REPLACED_AT) clinicNew += clinicKwh;
    const silent = within(i, at(8, 10), at(8, 12)) || within(i, REPLACED_AT, REPLACED_AT + 10);
    if (!silent) {
      push(i, 'electricity', 'clinic-power', 'public-services', 'clinic', 'eastron-sdm120', {
        voltage_v: outage ? 0 : 225,
        active_power_w: outage ? 0 : 3000,
        ...(outage ? {} : { frequency_hz: 50 }),
        import_energy_kwh: i < REPLACED_AT ? clinicOld : clinicNew,
      });
    }
    // water: the maker hall draws 3 m³/h by day (06–22), the clinic 1 m³/h; from 25 Nov the
    // maker hall leaks 0.6 m³/h from midnight to 06:00; the main delivers 1.25× both
    const day6to22 = hour >= 6 && hour < 22;
    const makerFlow = day6to22 ? 3 : day >= 25 && day <= 30 && hour < 6 && i >= 0 ? 0.6 : 0;
    const clinicFlow = day6to22 ? 1 : 0;
    const mainFlow = 1.25 * (makerFlow + clinicFlow);
    if (i >= 0) {
      makerVolume += makerFlow / 60;
      clinicVolume += clinicFlow / 60;
      mainVolume += mainFlow / 60;
    }
    push(i, 'water', 'maker-hall-flow', 'maker-workspace', 'maker-hall', 'tuf-2000m', {
      flow_m3h: makerFlow,
      forward_total_m3: makerVolume,
    });
    push(i, 'water', 'clinic-flow', 'public-services', 'clinic', 'tuf-2000m', {
      flow_m3h: clinicFlow,
      forward_total_m3: clinicVolume,
    });
    push(i, 'water', 'water-station-flow', 'public-services', 'water-station', 'tuf-2000m', {
      flow_m3h: mainFlow,
      forward_total_m3: mainVolume,
    });
    push(i, 'water', 'maker-hall-pressure', 'maker-workspace', 'maker-hall', 'generic-pressure-rs485', {
      pressure_mpa: 0.25,
    });
    push(i, 'water', 'clinic-pressure', 'public-services', 'clinic', 'generic-pressure-rs485', {
      pressure_mpa: outage ? 0 : 0.3,
    });
    // water quality: 1.5 NTU on 3 Nov 09:00–09:30, free chlorine 0.02 mg/L on 7 Nov 20:00–20:20
    push(i, 'water', 'water-station-quality', 'public-services', 'water-station', 'generic-water-quality', {
      turbidity_ntu: within(i, at(3, 9), at(3, 9, 30)) ? 1.5 : 0.3,
      water_ph: 7.2,
      free_chlorine_mgl: within(i, at(7, 20), at(7, 20, 20)) ? 0.02 : 0.4,
    });
  }
  return lines;
}

/** Alert history as alerting writes it: one row per fired, acknowledged, resolved. */
export function seededAlertLines(): string[] {
  const rows: Array<[string, string, string, string, number]> = [
    // id, rule, zone, state, time
    ['a-before', 'undervoltage', 'maker-workspace', 'firing', local(1, 0) - 60 * MINUTE],
    ['a-before', 'undervoltage', 'maker-workspace', 'resolved', local(1, 1)],
    ['a-over', 'overvoltage', 'maker-workspace', 'firing', local(5, 14, 1)],
    ['a-over', 'overvoltage', 'maker-workspace', 'acknowledged', local(5, 14, 31)],
    ['a-over', 'overvoltage', 'maker-workspace', 'resolved', local(5, 15, 31)],
    ['a-under', 'undervoltage', 'maker-workspace', 'firing', local(20, 8, 1)],
    ['a-under', 'undervoltage', 'maker-workspace', 'acknowledged', local(20, 8, 5)],
    ['a-under', 'undervoltage', 'maker-workspace', 'resolved', local(20, 8, 46)],
    ['a-pressure', 'low-pressure', 'public-services', 'firing', local(22, 3, 2)],
    ['a-pressure', 'low-pressure', 'public-services', 'acknowledged', local(22, 3, 12)],
    ['a-pressure', 'low-pressure', 'public-services', 'resolved', local(22, 4, 1)],
    ['a-late', 'low-pressure', 'public-services', 'firing', local(30, 23)],
    ['a-late', 'low-pressure', 'public-services', 'resolved', local(30, 23) + 90 * MINUTE],
  ];
  return rows.map(
    ([id, rule, zone, state, t]) =>
      `alert,site=demo-village,zone=${zone},rule=${rule},severity=warning,state=${state} alert_id="${id}",device="x",message="m" ${t}`,
  );
}
