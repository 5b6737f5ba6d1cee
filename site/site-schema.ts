import { z } from 'zod';
import { fieldNameSchema, gatewayIdSchema, idSchema } from '../contracts/index.js';
import { findProfile, profileFields } from '../devices/index.js';
import { isPrintable } from '../runtime/index.js';
import { meteringSchema, tenantSchema } from './metering-schema.js';

/** Zones from the guideline's clauses 7.2 and 8; dashboards and alerts speak in these. */
export const ZONE_KINDS = {
  maker_workspace: { zh: '创客工作区', en: 'Maker workspace' },
  public_exchange: { zh: '公共交流区', en: 'Public exchange' },
  industry_incubation: { zh: '产业孵化区', en: 'Industry incubation' },
  culture_leisure: { zh: '文化休闲区', en: 'Culture and leisure' },
  featured_extension: { zh: '特色拓展区', en: 'Featured extension' },
  dining: { zh: '餐饮', en: 'Dining' },
  shopping: { zh: '购物', en: 'Shopping' },
  public_services: { zh: '公共服务', en: 'Public services' },
} as const;

export const zoneKindSchema = z.enum(
  Object.keys(ZONE_KINDS) as [keyof typeof ZONE_KINDS, ...(keyof typeof ZONE_KINDS)[]],
);

/**
 * What a person reads for a building, zone or device: in every page, in notifications (e-mail,
 * webhooks, chat) and on `npm start`'s terminal. A device's comes from the enrolment API too,
 * so a gateway's token could put line breaks and terminal escapes in it (a forged line in a
 * fire alarm's e-mail) or a megabyte of text.
 */
export const displayNameSchema = z.string().min(1).max(100).refine(isPrintable, {
  message: 'must not hold control characters (line breaks, tabs, escapes, direction overrides)',
});

export const buildingSchema = z.strictObject({
  id: idSchema,
  name: displayNameSchema,
  name_en: displayNameSchema,
  storeys: z.number().int().min(1).max(30).default(1),
});

export const zoneSchema = z.strictObject({
  id: idSchema,
  kind: zoneKindSchema,
  name: displayNameSchema,
  name_en: displayNameSchema,
  buildings: z.array(buildingSchema).min(1),
});

/** An RS-485 line (or a Modbus TCP device) that one gateway polls. */
export const busSchema = z.strictObject({
  id: idSchema,
  gateway: gatewayIdSchema,
  /** What the meters on the line speak; a line carries one protocol. */
  protocol: z.enum(['modbus', 'dlt645', 'cjt188']).default('modbus'),
  description: z.string().optional(),
});

/**
 * A meter's nameplate address: 12 digits for DL/T 645, 14 for CJ/T 188. YAML reads an
 * unquoted number without its leading zeros, so a number is zero-padded back to 12
 * digits (a CJ/T 188 address must be quoted).
 */
export const meterAddressSchema = z
  .union([
    z
      .string()
      .regex(
        /^(?:[0-9]{12}|[0-9]{14})$/,
        'must be 12 digits (DL/T 645) or 14 digits (CJ/T 188), as on the meter nameplate',
      ),
    z.number().int(),
  ])
  .transform((value) => (typeof value === 'number' ? String(value).padStart(12, '0') : value))
  .refine(
    (value) => /^(?:[0-9]{12}|[0-9]{14})$/.test(value),
    'must be 12 digits (DL/T 645) or 14 digits (CJ/T 188), as on the meter nameplate',
  );

const METER_ADDRESS_DIGITS = { dlt645: 12, cjt188: 14 } as const;

/** Knobs of the simulated device; real devices ignore them. */
export const simulationSchema = z
  .strictObject({
    /** Peak active power in W for electricity meters, peak flow in m³/h for flow meters. */
    peak: z.number().positive().optional(),
    /** Nominal phase voltage, V. */
    nominalVoltage: z.number().positive().optional(),
    /** Static pressure in MPa for pressure transmitters. */
    pressureMpa: z.number().positive().optional(),
  })
  .default({});

/**
 * The site's drinking-water supply class in GB 5749-2022: `centralized`, or `small` for
 * small centralized and decentralized supplies (small rural works), where the standard
 * allows turbidity up to 3 NTU when the source and treatment limit it (1 NTU otherwise).
 */
export const drinkingWaterSupplySchema = z.enum(['centralized', 'small']);
export type DrinkingWaterSupply = z.infer<typeof drinkingWaterSupplySchema>;

/**
 * A device's ratings, keyed like the field they bound: `current_a` is the rated current
 * of the circuit a meter measures (its breaker), `level_m` the full level of a tank.
 * Rules read them for limits that depend on the installation (overload, tank level).
 */
export const ratingsSchema = z.record(fieldNameSchema, z.number().positive().finite()).default({});

export const siteDeviceSchema = z.strictObject({
  id: idSchema,
  name: displayNameSchema,
  /** What English text calls it (messages, the operators' page); without it, `name`, never the id. */
  name_en: displayNameSchema.optional(),
  profile: idSchema,
  zone: idSchema,
  building: idSchema,
  gateway: gatewayIdSchema,
  /** Modbus devices: the bus they hang on and their unit id. */
  bus: idSchema.optional(),
  unitId: z.number().int().min(1).max(247).optional(),
  /** DL/T 645 and CJ/T 188 meters: the bus they hang on and their 12- or 14-digit nameplate address. */
  meterAddress: meterAddressSchema.optional(),
  pollIntervalS: z.number().positive().max(3600).default(10),
  /** Polled devices: the site's `reporting.maxIntervalS` for this device alone (report by exception). */
  maxIntervalS: z.number().positive().max(86_400).optional(),
  /** Polled devices: deadbands overriding the profile's for this installation, in each field's unit. */
  deadbands: z.record(fieldNameSchema, z.number().nonnegative().finite()).optional(),
  /** MQTT devices: longest silence before the gateway reports the device offline, s (default: the profile's). */
  heartbeatS: z.number().int().positive().max(86_400).optional(),
  /** MQTT devices: the name the vendor system uses for it (camera name, door controller serial). */
  vendorId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only (it becomes a topic level)')
    .optional(),
  ratings: ratingsSchema,
  simulation: simulationSchema,
});

export const siteSchema = z
  .strictObject({
    version: z.literal(1),
    site: z.strictObject({
      id: idSchema,
      name: z.string().min(1),
      name_en: z.string().min(1),
      drinkingWater: z
        .strictObject({ supply: drinkingWaterSupplySchema.default('centralized') })
        .default({ supply: 'centralized' }),
    }),
    zones: z.array(zoneSchema).min(1),
    gateways: z
      .array(
        z.strictObject({
          id: gatewayIdSchema,
          name: z.string().min(1),
          /** As a device's `name_en`. */
          name_en: z.string().min(1).optional(),
        }),
      )
      .min(1),
    buses: z.array(busSchema).default([]),
    devices: z.array(siteDeviceSchema).min(1),
    tenants: z.array(tenantSchema).default([]),
    metering: meteringSchema.prefault({}),
    /**
     * Report by exception for polled devices: the gateway sends a field when it moved past
     * its deadband (the profile's, or the device's `deadbands`) and every field of a device
     * at least every `maxIntervalS` (a heartbeat that keeps absence detection and the
     * dashboards' last values alive). Absent: every reading is sent (docs/uplink.md).
     * `healthIntervalS`: how often the gateway reports its own health (default 30 s), which
     * on a metered uplink costs as much as the readings. `batchIntervalS`: how long the
     * gateway gathers readings into one message (default 1 s); warnings and critical events
     * never wait for it. `batchEncoding`: how a batch is compressed (default gzip; brotli
     * takes about a sixth more off a minute's batch for a few tens of milliseconds of CPU).
     */
    reporting: z
      .strictObject({
        maxIntervalS: z.number().positive().max(86_400).optional(),
        healthIntervalS: z.number().positive().max(3600).optional(),
        batchIntervalS: z.number().min(0.05).max(60).optional(),
        batchEncoding: z.enum(['brotli', 'gzip', 'json']).optional(),
      })
      .default({}),
  })
  .superRefine((site, ctx) => {
    const unique = (ids: string[], path: string) => {
      const seen = new Set<string>();
      ids.forEach((id, index) => {
        if (seen.has(id))
          ctx.addIssue({ code: 'custom', path: [path, index, 'id'], message: `duplicate id "${id}"` });
        seen.add(id);
      });
    };
    unique(
      site.zones.map((z) => z.id),
      'zones',
    );
    unique(
      site.gateways.map((g) => g.id),
      'gateways',
    );
    unique(
      site.buses.map((b) => b.id),
      'buses',
    );
    unique(
      site.devices.map((d) => d.id),
      'devices',
    );
    const gateways = new Set(site.gateways.map((g) => g.id));
    const buses = new Map(site.buses.map((b) => [b.id, b]));
    const slotsOnBus = new Set<string>();
    for (const bus of site.buses) {
      if (!gateways.has(bus.gateway)) {
        ctx.addIssue({
          code: 'custom',
          path: ['buses'],
          message: `bus "${bus.id}" names unknown gateway "${bus.gateway}"`,
        });
      }
    }
    site.devices.forEach((device, index) => {
      const path = ['devices', index];
      const fail = (message: string) =>
        ctx.addIssue({ code: 'custom', path, message: `device "${device.id}": ${message}` });
      const zone = site.zones.find((z) => z.id === device.zone);
      if (!zone) fail(`unknown zone "${device.zone}"`);
      else if (!zone.buildings.some((b) => b.id === device.building)) {
        fail(`building "${device.building}" is not in zone "${device.zone}"`);
      }
      if (!gateways.has(device.gateway)) fail(`unknown gateway "${device.gateway}"`);
      const profile = findProfile(device.profile);
      if (!profile) return fail(`unknown profile "${device.profile}"`);
      if (profile.protocol !== 'mqtt') {
        const isModbus = profile.protocol === 'modbus';
        const slot = isModbus ? device.unitId : device.meterAddress;
        if (!device.bus || slot === undefined)
          return fail(
            isModbus
              ? 'a Modbus device needs "bus" and "unitId"'
              : `a ${profile.protocol === 'dlt645' ? 'DL/T 645' : 'CJ/T 188'} meter needs "bus" and "meterAddress"`,
          );
        if (!isModbus && String(slot).length !== METER_ADDRESS_DIGITS[profile.protocol]) {
          fail(
            `meterAddress ${slot} must have ${METER_ADDRESS_DIGITS[profile.protocol]} digits for a ${profile.protocol} meter (quote it in YAML)`,
          );
        }
        const bus = buses.get(device.bus);
        if (!bus) return fail(`unknown bus "${device.bus}"`);
        if (bus.gateway !== device.gateway) fail(`bus "${device.bus}" belongs to gateway "${bus.gateway}"`);
        if (bus.protocol !== profile.protocol) {
          fail(
            `bus "${device.bus}" is a ${bus.protocol} bus; a ${profile.protocol} device needs a bus with protocol: ${profile.protocol}`,
          );
        }
        const key = `${device.bus}/${slot}`;
        if (slotsOnBus.has(key)) {
          fail(`${isModbus ? 'unit id' : 'meter address'} ${slot} is used twice on bus "${device.bus}"`);
        }
        slotsOnBus.add(key);
        for (const field of Object.keys(device.deadbands ?? {})) {
          if (!profileFields(profile).includes(field))
            fail(`deadbands: "${field}" is not a field of profile "${profile.id}"`);
        }
      } else if (!device.vendorId) {
        fail('an MQTT device needs "vendorId"');
      } else if (device.maxIntervalS !== undefined || device.deadbands !== undefined) {
        fail('"maxIntervalS" and "deadbands" are for polled devices; an MQTT device reports on its own');
      }
    });
    checkMetering(site, ctx);
  });

export type Site = z.infer<typeof siteSchema>;

/** Tenants name meters, in shares that add up to at most the whole meter; mains and changes name meters. */
function checkMetering(site: Pick<Site, 'devices' | 'tenants' | 'metering'>, ctx: z.RefinementCtx): void {
  const categoryOf = (id: string) => {
    const device = site.devices.find((d) => d.id === id);
    return device ? findProfile(device.profile)?.category : undefined;
  };
  const meters = new Set(['electricity-meter', 'water-flow-meter']);
  const shares = new Map<string, number>();
  site.tenants.forEach((tenant, t) =>
    tenant.meters.forEach((meter, m) => {
      const category = categoryOf(meter.device);
      if (!category || !meters.has(category)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', t, 'meters', m, 'device'],
          message: `"${meter.device}" is not an electricity or water meter of this site`,
        });
      }
      shares.set(meter.device, (shares.get(meter.device) ?? 0) + meter.share);
    }),
  );
  for (const [device, total] of shares) {
    if (total > 1 + 1e-9) {
      ctx.addIssue({
        code: 'custom',
        path: ['tenants'],
        message: `tenants' shares of "${device}" add up to ${total}; at most 1 (the whole meter)`,
      });
    }
  }
  site.metering.waterMains.forEach((device, i) => {
    if (categoryOf(device) !== 'water-flow-meter') {
      ctx.addIssue({
        code: 'custom',
        path: ['metering', 'waterMains', i],
        message: `"${device}" is not a water flow meter of this site`,
      });
    }
  });
  site.metering.meterChanges.forEach((change, i) => {
    const category = categoryOf(change.device);
    if (!category || !meters.has(category)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metering', 'meterChanges', i, 'device'],
        message: `"${change.device}" is not an electricity or water meter of this site`,
      });
    }
  });
}
export type SiteDevice = z.infer<typeof siteDeviceSchema>;
export type Zone = z.infer<typeof zoneSchema>;
