import { profileFields, telemetryMeasurement } from '../devices/index.js';
import { maxIntervalOf, quietLimitS, SiteRegistry, type RegisteredDevice, type Site } from '../site/index.js';
import { durationMs, resultRows, runStatement, type InfluxAdminTarget } from '../storage/index.js';
import { alertClasses, type AlertRow, type RuleTitle } from './compute/alert-classes.js';
import { countState, offIntervals, supplyMinutes } from './compute/availability.js';
import { counterConsumption } from './compute/counter-consumption.js';
import { demandBlocks, peakDemand } from './compute/demand.js';
import { findGaps } from './compute/gaps.js';
import { holdLastValues } from './compute/held-values.js';
import { nightFlow } from './compute/night-flow.js';
import { frequencyQuality, isInterrupted, voltageQuality } from './compute/power-quality.js';
import { energyField, supplyTypeOf, voltageFields, volumeField } from './meter-fields.js';
import { fetchMinutes, lastBefore, type Minute, type MinuteSource } from './minute-series.js';
import type { ReportPeriod } from './period.js';
import type {
  Completeness,
  DataEvent,
  GroupConsumption,
  MeterConsumption,
  MonthlyReport,
  Named,
  WaterQualityFigure,
} from './report-model.js';
import { NO_WATER_BELOW_MPA, WATER_QUALITY_LIMITS } from './standards.js';

export interface ReportInputs {
  target: InfluxAdminTarget;
  database: string;
  site: Site;
  /** Rule id → its title, for alert classes (alerting's rule files). */
  ruleTitles: ReadonlyMap<string, RuleTitle>;
  /** Raw points while the period is within their retention, else the 1-minute roll-up; or forced. */
  source?: 'auto' | 'raw' | 'rollup_1m';
  nowMs?: number;
}

const DAY_MS = 86_400_000;

async function chooseSource(inputs: ReportInputs, period: ReportPeriod): Promise<MinuteSource> {
  const policies = resultRows(
    await runStatement(inputs.target, inputs.database, `SHOW RETENTION POLICIES ON "${inputs.database}"`),
  );
  const raw = policies.find((p) => p.default === true);
  const rawRp = String(raw?.name ?? 'autogen');
  const base = { target: inputs.target, database: inputs.database };
  if (inputs.source === 'raw') return { ...base, rp: rawRp, kind: 'raw' };
  if (inputs.source === 'rollup_1m') return { ...base, rp: 'rollup_1m', kind: 'rollup_1m' };
  const duration = String(raw?.duration ?? '0s');
  const keptMs = duration === '0s' ? Infinity : durationMs(`${Math.floor(parseGoHours(duration))}h`);
  const rawReaches = period.fromMs >= (inputs.nowMs ?? Date.now()) - keptMs + DAY_MS;
  return rawReaches ? { ...base, rp: rawRp, kind: 'raw' } : { ...base, rp: 'rollup_1m', kind: 'rollup_1m' };
}

function parseGoHours(text: string): number {
  const hours = /([0-9]+)h/.exec(text);
  return hours ? Number(hours[1]) : 0;
}

function named(id: string, name: string, nameEn?: string): Named {
  return { id, name, name_en: nameEn ?? name };
}

export async function buildMonthlyReport(inputs: ReportInputs, period: ReportPeriod): Promise<MonthlyReport> {
  const registry = new SiteRegistry(inputs.site);
  const siteId = registry.siteId;
  const source = await chooseSource(inputs, period);
  const { fromMs, toMs } = period;
  const [electricity, water] = await Promise.all([
    fetchMinutes(source, siteId, 'electricity', fromMs, toMs),
    fetchMinutes(source, siteId, 'water', fromMs, toMs),
  ]);
  const readingsOf = (d: RegisteredDevice): readonly Minute[] =>
    (d.profile.category === 'electricity-meter' ? electricity : water).get(d.device.id) ?? [];
  // Under report by exception a value holds until the next reading: every figure but
  // consumption, completeness and gaps reads each minute with every field's last value.
  const reportsByException = (d: RegisteredDevice) => maxIntervalOf(inputs.site, d.device) !== undefined;
  const held = new Map<string, readonly Minute[]>();
  const minutesOf = (d: RegisteredDevice): readonly Minute[] => {
    if (!reportsByException(d)) return readingsOf(d);
    let minutes = held.get(d.device.id);
    if (!minutes) {
      minutes = holdLastValues(readingsOf(d), toMs, quietLimitS(inputs.site, d.device) * 1000);
      held.set(d.device.id, minutes);
    }
    return minutes;
  };
  const deviceName = (d: RegisteredDevice) => named(d.device.id, d.device.name);
  const zoneName = (id: string) => {
    const zone = inputs.site.zones.find((z) => z.id === id);
    return named(id, zone?.name ?? id, zone?.name_en);
  };
  const buildings = inputs.site.zones.flatMap((z) => z.buildings.map((b) => ({ ...b, zone: z.id })));
  const all = registry.all();
  const meters = all.filter((d) => d.profile.category === 'electricity-meter');
  const flowMeters = all.filter((d) => d.profile.category === 'water-flow-meter');
  const mains = new Set(inputs.site.metering.waterMains);

  // consumption per meter, from each register's last reading before the period on
  const counterFields = [
    ...new Set([
      ...meters.map((d) => energyField(d.profile)),
      ...flowMeters.map((d) => volumeField(d.profile)),
    ]),
  ].filter((f): f is string => f !== undefined);
  const baselines = new Map<string, { t: number; v: number }>();
  for (const field of counterFields) {
    const measurement = field.endsWith('_kwh') ? 'electricity' : 'water';
    for (const [device, last] of await lastBefore(source, siteId, measurement, field, fromMs)) {
      baselines.set(`${device}/${field}`, last);
    }
  }
  const meterConsumption: MeterConsumption[] = [];
  for (const d of [...meters, ...flowMeters]) {
    const field =
      d.profile.category === 'electricity-meter' ? energyField(d.profile) : volumeField(d.profile);
    if (!field) continue;
    const baseline = baselines.get(`${d.device.id}/${field}`);
    const result = counterConsumption(
      {
        device: deviceName(d),
        field,
        // The register's own readings: the sum of its rises is the same however sparse they are.
        minutes: readingsOf(d),
        ...(baseline ? { baseline } : {}),
        changes: inputs.site.metering.meterChanges.filter((c) => c.device === d.device.id),
      },
      fromMs,
    );
    meterConsumption.push({
      device: deviceName(d),
      zone: d.device.zone,
      building: d.device.building,
      quantity: d.profile.category === 'electricity-meter' ? 'electricity' : 'water',
      total: result.total,
      noData: result.noData,
      isWaterMain: mains.has(d.device.id),
      events: result.events,
    });
  }

  // gaps and completeness per device with readings to give
  const dataEvents: DataEvent[] = meterConsumption.flatMap((m) => m.events);
  const completeness: Completeness[] = [];
  for (const d of all.filter(
    (x) =>
      ['electricity', 'water'].includes(telemetryMeasurement(x.profile)) &&
      profileFields(x.profile).length > 0,
  )) {
    const minutes = readingsOf(d);
    const quietS = quietLimitS(inputs.site, d.device);
    const gaps = findGaps(minutes, fromMs, toMs, quietS);
    // Under report by exception a healthy device sends at least once per quiet limit
    // however still its values: complete means every such window holds a reading.
    const expected = reportsByException(d)
      ? Math.ceil((toMs - fromMs) / 1000 / quietS)
      : Math.round((toMs - fromMs) / 1000 / d.device.pollIntervalS);
    const received = reportsByException(d)
      ? new Set(
          minutes
            .filter((m) => (m.v.samples ?? 0) > 0 && m.t >= fromMs && m.t < toMs)
            .map((m) => Math.floor((m.t - fromMs) / (quietS * 1000))),
        ).size
      : minutes.reduce((n, m) => n + (m.v.samples ?? 0), 0);
    completeness.push({
      device: deviceName(d),
      pollIntervalS: d.device.pollIntervalS,
      expected,
      received,
      ratio: expected > 0 ? Math.min(1, received / expected) : 0,
      gaps,
    });
    const field =
      d.profile.category === 'electricity-meter'
        ? energyField(d.profile)
        : d.profile.category === 'water-flow-meter'
          ? volumeField(d.profile)
          : undefined;
    for (const gap of gaps) {
      const before = field
        ? [...minutes].reverse().find((m) => m.t < gap.fromMs && m.v[field] !== undefined)
        : undefined;
      const after = field ? minutes.find((m) => m.t >= gap.toMs && m.v[field] !== undefined) : undefined;
      const across =
        field && before && after ? (after.v[field] as number) - (before.v[field] as number) : undefined;
      dataEvents.push({
        device: deviceName(d),
        kind: 'gap',
        ...gap,
        ...(across !== undefined && across >= 0 ? { countedAcross: across } : {}),
      });
    }
  }
  dataEvents.sort((a, b) => a.fromMs - b.fromMs || a.device.id.localeCompare(b.device.id));

  // groups: zones, buildings, tenants, the site (water mains left out: they would count water twice)
  const blocks = new Map(meters.map((d) => [d.device.id, demandBlocks(minutesOf(d))]));
  const flagged = new Set(dataEvents.map((e) => e.device.id));
  const group = (g: Named, members: ReadonlyArray<{ id: string; share: number }>): GroupConsumption => {
    let electricityKwh = 0;
    let waterM3 = 0;
    for (const { id, share } of members) {
      const meter = meterConsumption.find((m) => m.device.id === id);
      if (!meter || meter.isWaterMain) continue;
      if (meter.quantity === 'electricity') electricityKwh += meter.total * share;
      else waterM3 += meter.total * share;
    }
    const peak = peakDemand(
      members
        .filter((m) => blocks.has(m.id))
        .map((m) => ({ blocks: blocks.get(m.id) as Map<number, number>, share: m.share })),
    );
    return {
      group: g,
      electricityKwh,
      waterM3,
      ...(peak ? { peakDemand: peak } : {}),
      flagged: members.some((m) => flagged.has(m.id)),
    };
  };
  const whole = (devices: RegisteredDevice[]) => devices.map((d) => ({ id: d.device.id, share: 1 }));
  const counted = [...meters, ...flowMeters];
  const consumption = {
    meters: meterConsumption,
    zones: inputs.site.zones.map((z) =>
      group(zoneName(z.id), whole(counted.filter((d) => d.device.zone === z.id))),
    ),
    buildings: buildings.map((b) =>
      group(named(b.id, b.name, b.name_en), whole(counted.filter((d) => d.device.building === b.id))),
    ),
    tenants: inputs.site.tenants.map((t) =>
      group(
        named(t.id, t.name, t.name_en),
        t.meters.map((m) => ({ id: m.device, share: m.share })),
      ),
    ),
    site: group(named(siteId, inputs.site.site.name, inputs.site.site.name_en), whole(counted)),
  };

  // power quality
  const voltageDevices = meters
    .filter((d) => voltageFields(d.profile).length > 0)
    .map((d) =>
      voltageQuality(
        deviceName(d),
        d.device.zone,
        supplyTypeOf(d.profile),
        voltageFields(d.profile),
        minutesOf(d),
      ),
    );
  const rateOf = (within: number, monitored: number) => (monitored > 0 ? { rate: within / monitored } : {});
  const siteRate = (within: number, monitored: number) =>
    monitored > 0 ? { siteRate: within / monitored } : {};
  const sum = <T>(items: readonly T[], pick: (item: T) => number) =>
    items.reduce((n, item) => n + pick(item), 0);
  const voltageZones = inputs.site.zones.map((z) => {
    const inZone = voltageDevices.filter((v) => v.zone === z.id);
    const monitoredMinutes = sum(inZone, (v) => v.monitoredMinutes);
    const withinMinutes = sum(inZone, (v) => v.withinMinutes);
    return {
      zone: zoneName(z.id),
      monitoredMinutes,
      withinMinutes,
      ...rateOf(withinMinutes, monitoredMinutes),
    };
  });
  const frequencyDevices = meters
    .map((d) => frequencyQuality(deviceName(d), minutesOf(d)))
    .filter((f) => f.monitoredMinutes > 0);

  // water quality per GB 5749 parameter
  const waterQuality: WaterQualityFigure[] = [];
  for (const d of all.filter((x) => x.profile.category === 'water-quality-probe')) {
    for (const limit of WATER_QUALITY_LIMITS) {
      const figure: WaterQualityFigure = {
        device: deviceName(d),
        field: limit.field,
        name: limit.zh,
        name_en: limit.en,
        unit: limit.unit,
        limits: { ...(limit.low !== undefined ? { low: limit.low } : {}), high: limit.high },
        monitoredMinutes: 0,
        compliantMinutes: 0,
      };
      for (const minute of minutesOf(d)) {
        const value = minute.v[limit.field];
        if (value === undefined) continue;
        figure.monitoredMinutes += 1;
        if ((limit.low === undefined || value >= limit.low) && value <= limit.high)
          figure.compliantMinutes += 1;
        figure.min = Math.min(figure.min ?? Infinity, value);
        figure.max = Math.max(figure.max ?? -Infinity, value);
      }
      if (figure.monitoredMinutes > 0) {
        figure.rate = figure.compliantMinutes / figure.monitoredMinutes;
        waterQuality.push(figure);
      }
    }
  }

  // supply availability per zone
  const availability = inputs.site.zones.map((z) => {
    const zoneMeters = meters.filter((d) => d.device.zone === z.id && voltageFields(d.profile).length > 0);
    const pressure = all.filter(
      (d) => d.device.zone === z.id && d.profile.category === 'pressure-transmitter',
    );
    const power = supplyMinutes(
      zoneMeters.map((d) => minutesOf(d)),
      // one meter's verdict: interrupted on every phase
      (m) =>
        isInterrupted(
          m,
          Object.keys(m.v).filter((k) => /^voltage(_l[123])?_v$/.test(k)),
        ),
      fromMs,
      toMs,
    );
    const waterStates = supplyMinutes(
      pressure.map((d) => minutesOf(d)),
      (m) => (m.v.pressure_mpa === undefined ? undefined : m.v.pressure_mpa < NO_WATER_BELOW_MPA),
      fromMs,
      toMs,
    );
    return {
      zone: zoneName(z.id),
      periodMinutes: power.length,
      powerOffMinutes: countState(power, 'off'),
      powerNoDataMinutes: zoneMeters.length ? countState(power, 'no-data') : 0,
      waterOffMinutes: countState(waterStates, 'off'),
      waterNoDataMinutes: pressure.length ? countState(waterStates, 'no-data') : 0,
      powerOutages: offIntervals(power, fromMs),
      waterOutages: offIntervals(waterStates, fromMs),
    };
  });

  // water balance and night flow
  const mainMeters = flowMeters.filter((d) => mains.has(d.device.id));
  const subMeters = flowMeters.filter((d) => !mains.has(d.device.id));
  const totalOf = (devices: RegisteredDevice[]) =>
    sum(devices, (d) => meterConsumption.find((m) => m.device.id === d.device.id)?.total ?? 0);
  const mainM3 = totalOf(mainMeters);
  const subM3 = totalOf(subMeters);
  const nightFlows = [
    ...inputs.site.zones
      .map((z) => ({ z, zoneMeters: subMeters.filter((d) => d.device.zone === z.id) }))
      .filter(({ zoneMeters }) => zoneMeters.length > 0)
      .map(({ z, zoneMeters }) =>
        nightFlow(
          zoneName(z.id),
          zoneMeters.map((d) => minutesOf(d)),
          fromMs,
          toMs,
        ),
      ),
    ...mainMeters.map((d) => nightFlow(deviceName(d), [minutesOf(d)], fromMs, toMs)),
  ];

  // alerts
  const alertRows = resultRows(
    await runStatement(
      inputs.target,
      inputs.database,
      `SELECT "alert_id", "state", "rule", "severity" FROM "alert" WHERE "site" = '${siteId}' AND time >= ${fromMs}ms AND time < ${toMs}ms`,
    ),
  ) as unknown as AlertRow[];

  return {
    site: named(siteId, inputs.site.site.name, inputs.site.site.name_en),
    period: { fromMs, toMs, label: period.label },
    generatedAtMs: inputs.nowMs ?? Date.now(),
    source: source.kind,
    consumption,
    voltage: {
      devices: voltageDevices,
      zones: voltageZones,
      ...siteRate(
        sum(voltageDevices, (v) => v.withinMinutes),
        sum(voltageDevices, (v) => v.monitoredMinutes),
      ),
    },
    frequency: {
      devices: frequencyDevices,
      ...siteRate(
        sum(frequencyDevices, (f) => f.withinMinutes),
        sum(frequencyDevices, (f) => f.monitoredMinutes),
      ),
    },
    waterQuality,
    availability,
    waterBalance: {
      mains: mainMeters.map(deviceName),
      mainM3,
      subM3,
      ...(mainM3 > 0 ? { nonRevenueRatio: (mainM3 - subM3) / mainM3 } : {}),
    },
    nightFlow: nightFlows,
    alerts: alertClasses(alertRows, inputs.ruleTitles, fromMs, toMs),
    completeness,
    dataEvents,
  };
}
