import { z } from 'zod';
import { EVENT_TYPES, eventTypeSchema, fieldNameSchema, idSchema } from '../contracts/index.js';
import { UNIT_SUFFIXES, unitOfField } from './units.js';
import { dlt645DataIdSchema } from './dlt645/data-identifiers.js';
import { dlt645ValueFormatSchema } from './dlt645/value-format.js';
import { cjt188DataIdSchema, cjt188EditionSchema } from './cjt188/data-identifiers.js';
import { CJT188_VALUE_PARTS, cjt188ValuePartSchema } from './cjt188/value-parts.js';

/**
 * A device profile is data: everything the edge, ingest, simulator and dashboards
 * need to know about one device model. Word order, scaling and register numbering
 * are explicit in every profile because they are the classic field failures.
 */

export const registerTypeSchema = z.enum(['int16', 'uint16', 'int32', 'uint32', 'float32']);
export type RegisterType = z.infer<typeof registerTypeSchema>;

export const REGISTER_WIDTH: Readonly<Record<RegisterType, 1 | 2>> = {
  int16: 1,
  uint16: 1,
  int32: 2,
  uint32: 2,
  float32: 2,
};

/** `holding` is function code 03, `input` is 04. */
export const registerTableSchema = z.enum(['holding', 'input']);
export type RegisterTable = z.infer<typeof registerTableSchema>;

/**
 * How the manual numbers registers. `address`: the number is the protocol address
 * (0-based, as Eastron and CHINT document them). `one-based`: the manual counts from 1
 * (TUF-2000M "R1" is address 0), so address = number − 1.
 */
export const registerNumberingSchema = z.enum(['address', 'one-based']);

/** For 32-bit values: which 16-bit register carries the high half. */
export const wordOrderSchema = z.enum(['high-first', 'low-first']);
/** Byte order inside each 16-bit register; Modbus itself is big-endian. */
export const byteOrderSchema = z.enum(['big', 'little']);

function requireUnitSuffix(
  f: { field: string; deadband?: number | undefined; resolution?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (f.resolution !== undefined && !(f.resolution * 2 <= (f.deadband ?? 0))) {
    ctx.addIssue({
      code: 'custom',
      path: ['resolution'],
      message: `field "${f.field}": resolution ${f.resolution} must be at most half its deadband (${f.deadband ?? 0}); declare a deadband or drop the resolution`,
    });
  }
  const unit = unitOfField(f.field);
  if (unit === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['field'],
      message: `field "${f.field}" must end in a unit suffix (${UNIT_SUFFIXES.join(', ')})`,
    });
  }
  if (unit === 'code' && (f.deadband ?? 0) > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['deadband'],
      message: `field "${f.field}" is a state: it is sent on any change and takes no deadband`,
    });
  }
}

export const measurementSchema = z.enum(['water', 'electricity', 'safety_event']);
export type Measurement = z.infer<typeof measurementSchema>;

export const categorySchema = z.enum([
  'electricity-meter',
  'water-flow-meter',
  'pressure-transmitter',
  'level-transmitter',
  'water-quality-probe',
  'camera',
  'access-control',
  'fire-panel',
  'emergency-light',
]);
export type DeviceCategory = z.infer<typeof categorySchema>;

export const serialDefaultsSchema = z.strictObject({
  baudRate: z.number().int().positive(),
  parity: z.enum(['none', 'even', 'odd']),
  dataBits: z.union([z.literal(7), z.literal(8)]),
  stopBits: z.union([z.literal(1), z.literal(2)]),
});

/**
 * What an MQTT device's vendor payload turns into: canonical events, telemetry values,
 * or a heartbeat (a keep-alive that only proves the device is there; it stays at the
 * gateway, which judges silence against the profile's `heartbeatS`).
 */
export type CanonicalOutput =
  | { kind: 'event'; type: (typeof EVENT_TYPES)[number]; data?: Record<string, string | number | boolean> }
  | { kind: 'telemetry'; values: Record<string, number> }
  | { kind: 'heartbeat' };

export interface VendorMessageContext {
  /** The device's name as the vendor system knows it (camera name, Zigbee friendly name, panel address). */
  vendorId: string;
  /** Topic levels matched by `{placeholders}` in the pattern. */
  params: Readonly<Record<string, string>>;
}

export interface VendorTopicMapping<P = unknown> {
  /** Topic pattern on the gateway's LAN broker; `{vendorId}` stands for the device's vendor name. */
  pattern: string;
  /** Validates the raw vendor payload (already JSON-parsed, or a string for plain payloads). */
  payload: z.ZodType<P>;
  /** Whether the payload is JSON (default) or a plain string such as `online`. */
  format?: 'json' | 'text';
  /** Pure mapping from a valid payload to canonical outputs; may return [] to ignore. */
  toCanonical: (payload: P, context: VendorMessageContext) => CanonicalOutput[];
  /** For topics shared by many devices (Frigate's `frigate/events`): the vendor id the payload is about. */
  vendorIdOf?: (payload: P) => string | undefined;
}

/**
 * The profile schemas, built when asked for rather than at import: the catalogue checks
 * every profile once as it loads, and a module's constants would keep these ~200 zod 4
 * schemas (objects with closures of their own, ~0.4 MB of V8 heap) for as long as a
 * gateway runs (bench/README.md, _Gateway memory_). Each exported function below builds a
 * fresh set: cheap once, not for a loop.
 */
function buildProfileSchemas() {
  /**
   * A value whose decimal point and unit are read from other registers at poll time,
   * as generic pressure transmitters do: value = (raw + offset) / 10^decimals × unit factor.
   */
  const decimalShiftSchema = z.strictObject({
    decimalsAt: z.number().int().min(0).max(65535),
    offsetAt: z.number().int().min(0).max(65535).optional(),
    unitCodeAt: z.number().int().min(0).max(65535).optional(),
    /** Unit code → factor into the field's unit (e.g. bar → MPa is 0.1). Unknown codes fail the read. */
    unitFactors: z.record(z.string().regex(/^\d+$/), z.number().positive()).optional(),
  });

  /**
   * Report by exception: how far a polled value must move from the last one the gateway sent
   * before it is sent again, in the field's unit; absent (or 0): any change. It is the only
   * information the uplink may lose (a dashboard or an alert sees the value within this much
   * of the meter's), so keep it below the hysteresis of the alert rules that judge the field.
   * A state (`_code`) is sent on any change.
   */
  const deadbandSchema = {
    deadband: z.number().nonnegative().finite().optional(),
    /**
     * Report by exception: the step a value travels rounded to, in the field's unit, a power of
     * ten at most half the deadband (a float32 register widened to a double would otherwise
     * print 17 digits for its 7). Absent: the largest power of ten at most a tenth of the
     * deadband ({@link fieldResolutions}); no deadband, no rounding.
     */
    resolution: z
      .number()
      .positive()
      .refine((r) => 10 ** Math.round(Math.log10(r)) === r, 'must be a power of ten (0.01, 0.1, 1, 10 …)')
      .optional(),
  };

  const registerFieldSchema = z
    .strictObject({
      field: fieldNameSchema,
      /** Register number as the manual gives it; see the profile's `numbering`. */
      at: z.number().int().min(0).max(65535),
      type: registerTypeSchema,
      table: registerTableSchema.optional(),
      wordOrder: wordOrderSchema.optional(),
      byteOrder: byteOrderSchema.optional(),
      /** Multiplier from register units into the field's unit (after decimal shift, if any). */
      scale: z.number().positive().default(1),
      decimalShift: decimalShiftSchema.optional(),
      /** Readings outside this range are rejected as garbage (a meter mid-reset, a wrong word order). */
      validRange: z.tuple([z.number(), z.number()]).optional(),
      ...deadbandSchema,
      description: z.string().optional(),
    })
    .superRefine(requireUnitSuffix);

  const profileBase = {
    id: idSchema,
    vendor: z.string().min(1),
    model: z.string().min(1),
    category: categorySchema,
    measurement: measurementSchema,
    description: z.string().min(1),
    /** Where the register map comes from, or why it is made up. */
    source: z.string().min(1),
  };

  const modbusProfileSchema = z
    .strictObject({
      ...profileBase,
      protocol: z.literal('modbus'),
      numbering: registerNumberingSchema,
      defaultTable: registerTableSchema,
      defaultWordOrder: wordOrderSchema,
      defaultByteOrder: byteOrderSchema.default('big'),
      defaultUnitId: z.number().int().min(1).max(247),
      serial: serialDefaultsSchema,
      /**
       * Where the meter keeps its own unit id (a holding register, numbered as the
       * manual does), so the technician's set-address can change it. Absent when the
       * manual does not say: the id is then set on the meter's menu.
       */
      unitIdRegister: z
        .strictObject({ at: z.number().int().min(0).max(65535), type: z.enum(['uint16', 'float32']) })
        .optional(),
      /** Most meters cap one read at fewer registers than Modbus' 125. */
      maxRegistersPerRead: z.number().int().min(1).max(125).default(125),
      /** Largest gap of unused registers read through to save a transaction. */
      maxGap: z.number().int().min(0).max(125).default(8),
      registers: z.array(registerFieldSchema).min(1),
    })
    .superRefine((profile, ctx) => {
      const seen = new Set<string>();
      for (const register of profile.registers) {
        if (seen.has(register.field)) {
          ctx.addIssue({
            code: 'custom',
            message: `field "${register.field}" is mapped twice`,
            path: ['registers'],
          });
        }
        seen.add(register.field);
      }
    });

  const mqttProfileSchema = z.strictObject({
    ...profileBase,
    protocol: z.literal('mqtt'),
    /** Canonical events this device model can produce. */
    events: z.array(eventTypeSchema).min(1),
    /** Telemetry fields this model can report (battery, signal). */
    fields: z.array(fieldNameSchema).default([]),
    /**
     * Longest silence, seconds, before the gateway reports the device offline: a few of
     * the device's own keep-alive periods. Any message counts; a site may set its own per
     * device when the installer configured the device's keep-alive differently.
     */
    heartbeatS: z.number().int().positive(),
    topics: z
      .array(z.custom<VendorTopicMapping<never>>((value) => typeof value === 'object' && value !== null))
      .min(1),
  });

  /** One value read from a DL/T 645 meter: one read request per data identifier. */
  const dlt645ItemSchema = z
    .strictObject({
      field: fieldNameSchema,
      dataId: dlt645DataIdSchema,
      format: dlt645ValueFormatSchema,
      /** Readings outside this range are rejected as garbage. */
      validRange: z.tuple([z.number(), z.number()]).optional(),
      ...deadbandSchema,
      description: z.string().optional(),
    })
    .superRefine(requireUnitSuffix);

  /**
   * A meter speaking DL/T 645-2007 on RS-485 (most State Grid household meters). It is
   * addressed by the 12-digit number on its nameplate, which the site gives per device.
   */
  const dlt645ProfileSchema = z
    .strictObject({
      ...profileBase,
      protocol: z.literal('dlt645'),
      category: z.literal('electricity-meter'),
      measurement: z.literal('electricity'),
      serial: serialDefaultsSchema,
      /** `FE` wake-up bytes sent before each request. */
      preambleBytes: z.number().int().min(0).max(4).default(4),
      items: z.array(dlt645ItemSchema).min(1),
    })
    .superRefine((profile, ctx) => {
      for (const key of ['field', 'dataId'] as const) {
        const seen = new Set<string>();
        for (const item of profile.items) {
          if (seen.has(item[key])) {
            ctx.addIssue({
              code: 'custom',
              path: ['items'],
              message: `${key} "${item[key]}" is listed twice`,
            });
          }
          seen.add(item[key]);
        }
      }
    });

  /** One value taken from a CJ/T 188 reply: which identifier's reply, and which part of it. */
  const cjt188ItemSchema = z
    .strictObject({
      field: fieldNameSchema,
      part: cjt188ValuePartSchema,
      /** Readings outside this range are rejected as garbage. */
      validRange: z.tuple([z.number(), z.number()]).optional(),
      ...deadbandSchema,
      description: z.string().optional(),
    })
    .superRefine(requireUnitSuffix);

  /**
   * A household water meter speaking CJ/T 188 on RS-485 or M-Bus, addressed by the
   * 14-digit number on the meter, which the site gives per device.
   */
  const cjt188ProfileSchema = z
    .strictObject({
      ...profileBase,
      protocol: z.literal('cjt188'),
      category: z.literal('water-flow-meter'),
      measurement: z.literal('water'),
      /** Meter type T: 0x10 cold water, 0x11 hot water, 0x12 drinking water, 0x13 reclaimed water. */
      meterType: z.number().int().min(0x10).max(0x13),
      /** Which edition of CJ/T 188 the meter speaks: it decides the byte order of data identifiers. */
      edition: cjt188EditionSchema.default('2004'),
      serial: serialDefaultsSchema,
      /** `FE` wake-up bytes sent before each request. */
      preambleBytes: z.number().int().min(0).max(4).default(2),
      items: z.array(cjt188ItemSchema).min(1),
    })
    .superRefine((profile, ctx) => {
      const seen = new Set<string>();
      for (const item of profile.items) {
        if (seen.has(item.field)) {
          ctx.addIssue({ code: 'custom', path: ['items'], message: `field "${item.field}" is listed twice` });
        }
        seen.add(item.field);
      }
    });

  const deviceProfileSchema = z.union([
    modbusProfileSchema,
    mqttProfileSchema,
    dlt645ProfileSchema,
    cjt188ProfileSchema,
  ]);

  return {
    registerField: registerFieldSchema,
    modbusProfile: modbusProfileSchema,
    mqttProfile: mqttProfileSchema,
    dlt645Item: dlt645ItemSchema,
    dlt645Profile: dlt645ProfileSchema,
    cjt188Item: cjt188ItemSchema,
    cjt188Profile: cjt188ProfileSchema,
    deviceProfile: deviceProfileSchema,
  };
}
type ProfileSchemas = ReturnType<typeof buildProfileSchemas>;

export const registerFieldSchema = (): ProfileSchemas['registerField'] => buildProfileSchemas().registerField;
export const modbusProfileSchema = (): ProfileSchemas['modbusProfile'] => buildProfileSchemas().modbusProfile;
export const mqttProfileSchema = (): ProfileSchemas['mqttProfile'] => buildProfileSchemas().mqttProfile;
export const dlt645ProfileSchema = (): ProfileSchemas['dlt645Profile'] => buildProfileSchemas().dlt645Profile;
export const cjt188ProfileSchema = (): ProfileSchemas['cjt188Profile'] => buildProfileSchemas().cjt188Profile;
/** Any device profile; devices/catalogue.ts checks every vendor file's definitions with it. */
export const deviceProfileSchema = (): ProfileSchemas['deviceProfile'] => buildProfileSchemas().deviceProfile;

export type RegisterField = z.infer<ProfileSchemas['registerField']>;
export type ModbusProfile = z.infer<ProfileSchemas['modbusProfile']>;
export type MqttProfile = z.infer<ProfileSchemas['mqttProfile']>;
export type Dlt645Item = z.infer<ProfileSchemas['dlt645Item']>;
export type Dlt645Profile = z.infer<ProfileSchemas['dlt645Profile']>;
export type Cjt188Item = z.infer<ProfileSchemas['cjt188Item']>;
export type Cjt188Profile = z.infer<ProfileSchemas['cjt188Profile']>;
export type DeviceProfile = z.infer<ProfileSchemas['deviceProfile']>;

/** The data identifiers a CJ/T 188 profile's items are read from. */
export function cjt188DataIdsOf(profile: Cjt188Profile): string[] {
  return [
    ...new Set(profile.items.map((item) => cjt188DataIdSchema.parse(CJT188_VALUE_PARTS[item.part].dataId))),
  ];
}

/**
 * A profile's topic mapping that remembers what a device sends on it (`Sent`, its payload
 * schema's input): the simulator publishes through these, so its topics and payload shapes
 * are the profile's own and the compiler checks them.
 */
export interface VendorTopic<Sent = unknown> extends VendorTopicMapping<never> {
  /** Type only, never set: what a device publishes on this topic. */
  readonly sent?: Sent;
}

/** What a device publishes on `topic`. */
export type VendorPayload<T> = T extends VendorTopic<infer Sent> ? Sent : never;

/** Helper so vendor files get type inference on their payload schemas. */
export function vendorTopic<P, Sent = P>(
  mapping: VendorTopicMapping<P> & { payload: z.ZodType<P, Sent> },
): VendorTopic<Sent> {
  return mapping as unknown as VendorTopic<Sent>;
}

/** Each polled field's deadband (report by exception), 0 where the profile declares none; MQTT profiles: none. */
export function profileDeadbands(profile: DeviceProfile): Record<string, number> {
  const fields =
    profile.protocol === 'modbus' ? profile.registers : profile.protocol === 'mqtt' ? [] : profile.items;
  return Object.fromEntries(fields.map((f) => [f.field, f.deadband ?? 0]));
}

/**
 * Each polled field's resolution under report by exception (the step its value travels
 * rounded to): the declared one, else the largest power of ten at most a tenth of its
 * deadband, so rounding moves a value by at most a twentieth of the deadband. Fields
 * without a deadband are not listed (not rounded).
 */
export function fieldResolutions(profile: DeviceProfile): Record<string, number> {
  const fields =
    profile.protocol === 'modbus' ? profile.registers : profile.protocol === 'mqtt' ? [] : profile.items;
  const resolutions: Record<string, number> = {};
  for (const f of fields) {
    const resolution = f.resolution ?? resolutionWithin(f.deadband ?? 0);
    if (resolution !== undefined) resolutions[f.field] = resolution;
  }
  return resolutions;
}

/** The largest power of ten at most a tenth of `deadband`; undefined without a deadband. */
export function resolutionWithin(deadband: number): number | undefined {
  return deadband > 0 ? 10 ** Math.floor(Math.log10(deadband / 10) + 1e-9) : undefined;
}

/** The canonical field names a profile publishes. */
export function profileFields(profile: DeviceProfile): string[] {
  switch (profile.protocol) {
    case 'modbus':
      return profile.registers.map((r) => r.field);
    case 'dlt645':
    case 'cjt188':
      return profile.items.map((item) => item.field);
    default:
      return [...profile.fields];
  }
}
