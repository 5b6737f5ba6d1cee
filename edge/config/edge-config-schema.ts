import { z } from 'zod';
import { gatewayIdSchema, idSchema } from '../../contracts/index.js';
import { findProfile } from '../../devices/index.js';
import { configBoolean, configNumber } from '../../runtime/index.js';

const portSchema = configNumber().pipe(z.number().int().min(0).max(65535));
const hostSchema = z.string().min(1);

export const credentialsSchema = z.strictObject({
  username: z.string().min(1),
  password: z.string().min(1),
});

export const upstreamSchema = z.strictObject({
  url: z.string().regex(/^(mqtts?|tcp|tls|wss?):\/\/.+/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL'),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  clientId: z.string().min(1).max(64).optional(),
  keepaliveS: configNumber().pipe(z.number().int().min(5).max(600)).default(30),
  reconnectMs: configNumber().pipe(z.number().int().min(100).max(60_000)).default(2_000),
});

/**
 * The LAN broker that cameras, door controllers, fire panels and emergency lights
 * publish to. Without `users` it accepts anonymous clients: such devices often cannot
 * be given credentials (fixed firmware, vendor bridges), so the protection is that it
 * binds only to the LAN interface (`host`), never to the uplink.
 */
export const lanSchema = z.strictObject({
  enabled: configBoolean().default(true),
  host: hostSchema.default('127.0.0.1'),
  port: portSchema.default(1884),
  users: z.array(credentialsSchema).min(1).optional(),
});

export const httpSchema = z.strictObject({
  host: hostSchema.default('127.0.0.1'),
  port: portSchema.default(9103),
});

export const publishSchema = z.strictObject({
  /** `batch` puts many devices' telemetry in one message on `v1/{site}/{gateway}/batch`; events always go out at once. */
  mode: z.enum(['per-device', 'batch']).default('per-device'),
  batchIntervalMs: configNumber().pipe(z.number().int().min(50).max(60_000)).default(1_000),
});

export const modbusDeviceSchema = z.strictObject({
  id: idSchema,
  profile: idSchema,
  /** Modbus TCP allows 0–255 (255 often means "the gateway itself"); RS-485 uses 1–247. */
  unitId: z.number().int().min(0).max(255),
  pollIntervalS: configNumber().pipe(z.number().positive().max(3600)).default(10),
  /** Overrides the bus' per-transaction timeout for a slow meter. */
  timeoutMs: configNumber().pipe(z.number().int().min(20).max(30_000)).optional(),
});
export type ModbusDeviceConfig = z.infer<typeof modbusDeviceSchema>;

const busBase = {
  id: idSchema,
  /** Per-transaction timeout; a dead meter costs the bus at most this long per poll. */
  timeoutMs: configNumber().pipe(z.number().int().min(20).max(30_000)).default(1_000),
  /**
   * Extra attempts of a failed poll while the device is online (0 = none). The bus is
   * free for other meters during the back-off; an offline device gets no retries, so it
   * costs at most one timeout per slow-poll cycle.
   */
  retries: configNumber().pipe(z.number().int().min(0).max(5)).default(1),
  /** First retry back-off; doubles per attempt, with jitter. */
  retryBackoffMs: configNumber().pipe(z.number().int().min(0).max(60_000)).default(200),
  devices: z.array(modbusDeviceSchema).default([]),
};

const tcpEndpoint = {
  host: hostSchema,
  port: portSchema.default(502),
  /** TCP connect timeout; separate from the per-transaction timeout so a busy host does not look like a dead line. */
  connectTimeoutMs: configNumber().pipe(z.number().int().min(100).max(60_000)).default(3_000),
};

/** The serial line's framing; also describes the line behind an RTU-over-TCP converter. */
const serialLine = {
  baudRate: configNumber().pipe(z.number().int().min(300).max(921_600)).default(9600),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
  /**
   * Silence between two transactions. Never less than Modbus' 3.5 character times
   * (1.75 ms above 19200 baud): a smaller value is raised to that minimum.
   */
  interFrameDelayMs: configNumber().pipe(z.number().min(0).max(1_000)).optional(),
};

/** Modbus TCP: a meter with Ethernet, or a serial server in Modbus TCP mode. */
export const tcpBusSchema = z.strictObject({
  ...busBase,
  transport: z.literal('tcp'),
  ...tcpEndpoint,
  /**
   * Transactions in flight at once. 1 suits a TCP→RS-485 converter (one line behind
   * it); a real Modbus TCP device may take more.
   */
  maxConcurrent: configNumber().pipe(z.number().int().min(1).max(16)).default(1),
});

/** RS-485 on a local serial port (USB adapter, HAT): one transaction at a time. */
export const rtuBusSchema = z.strictObject({
  ...busBase,
  transport: z.literal('rtu'),
  path: z.string().min(1),
  ...serialLine,
});

/** Raw RTU frames (with CRC) through a transparent TCP→RS-485 converter. */
export const rtuOverTcpBusSchema = z.strictObject({
  ...busBase,
  transport: z.literal('rtu-over-tcp'),
  ...tcpEndpoint,
  ...serialLine,
});

export const busSchema = z.discriminatedUnion('transport', [tcpBusSchema, rtuBusSchema, rtuOverTcpBusSchema]);
export type BusConfig = z.infer<typeof busSchema>;
export type SerialLineConfig = Pick<
  z.infer<typeof rtuBusSchema>,
  'baudRate' | 'parity' | 'dataBits' | 'stopBits' | 'interFrameDelayMs'
>;

/**
 * The store-and-forward buffer under `dataDir/buffer`: every upstream message except
 * the retained status is written here (fsync'd in groups) before it is published.
 */
export const bufferSchema = z.strictObject({
  /** Oldest messages are dropped (and counted) beyond this many. */
  maxMessages: configNumber().pipe(z.number().int().min(10).max(100_000_000)).default(2_000_000),
  /** Oldest messages are dropped beyond this many bytes of key + payload. */
  maxBytes: configNumber()
    .pipe(z.number().int().min(10_000))
    .default(512 * 1024 * 1024),
  /** Free space kept on the data disk: below it the buffer stops growing (oldest dropped). */
  reserveBytes: configNumber()
    .pipe(z.number().int().min(0))
    .default(256 * 1024 * 1024),
  /**
   * Group-commit window: messages are written with one fsync per window. A power cut
   * loses at most this window; events are committed at once.
   */
  flushIntervalMs: configNumber().pipe(z.number().int().min(5).max(10_000)).default(250),
  /** Messages published and not yet acknowledged (PUBACK) at once. */
  inflightWindow: configNumber().pipe(z.number().int().min(1).max(1_000)).default(64),
  /** Backlog messages sent between two turns of live data while replaying. */
  replayChunk: configNumber().pipe(z.number().int().min(1).max(10_000)).default(64),
  diskCheckIntervalS: configNumber().pipe(z.number().positive().max(3600)).default(10),
});
export type BufferConfig = z.infer<typeof bufferSchema>;

export const modbusSchema = z.strictObject({
  /** Consecutive failed polls before a device is reported offline. */
  offlineAfterFailures: configNumber().pipe(z.number().int().min(1).max(100)).default(3),
  /** Poll interval while a device is offline, so a dead meter costs its bus little. */
  offlinePollIntervalS: configNumber().pipe(z.number().positive().max(3600)).default(30),
  buses: z.array(busSchema).default([]),
});

export const mqttDeviceSchema = z.strictObject({
  id: idSchema,
  profile: idSchema,
  vendorId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only (it is a topic level)'),
});
export type MqttDeviceConfig = z.infer<typeof mqttDeviceSchema>;

export const edgeConfigSchema = z
  .strictObject({
    site: idSchema,
    gateway: gatewayIdSchema,
    upstream: upstreamSchema,
    lan: lanSchema.prefault({}),
    http: httpSchema.prefault({}),
    dataDir: z.string().min(1).default('./data/edge'),
    healthIntervalS: configNumber().pipe(z.number().positive().max(3600)).default(30),
    publish: publishSchema.prefault({}),
    modbus: modbusSchema.prefault({}),
    buffer: bufferSchema.prefault({}),
    mqttDevices: z.array(mqttDeviceSchema).default([]),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  })
  .superRefine((config, ctx) => {
    const deviceIds = new Map<string, string>();
    const claimId = (id: string, path: (string | number)[]) => {
      const previous = deviceIds.get(id);
      if (previous)
        ctx.addIssue({ code: 'custom', path, message: `device id "${id}" is also used at ${previous}` });
      else deviceIds.set(id, path.join('.'));
    };
    const busIds = new Set<string>();
    config.modbus.buses.forEach((bus, b) => {
      if (busIds.has(bus.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['modbus', 'buses', b, 'id'],
          message: `duplicate bus id "${bus.id}"`,
        });
      }
      busIds.add(bus.id);
      const units = new Set<number>();
      bus.devices.forEach((device, d) => {
        const path = ['modbus', 'buses', b, 'devices', d];
        claimId(device.id, [...path, 'id']);
        if (bus.transport !== 'tcp' && (device.unitId < 1 || device.unitId > 247)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'unitId'],
            message: `unit id ${device.unitId} is not valid on a serial line (1-247)`,
          });
        }
        const profile = findProfile(device.profile);
        if (!profile) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'profile'],
            message: `unknown profile "${device.profile}"`,
          });
        } else if (profile.protocol !== 'modbus') {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'profile'],
            message: `profile "${device.profile}" is an ${profile.protocol} profile, not a Modbus one`,
          });
        }
        if (units.has(device.unitId)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'unitId'],
            message: `unit id ${device.unitId} is used twice on bus "${bus.id}"`,
          });
        }
        units.add(device.unitId);
      });
    });
    const vendorKeys = new Set<string>();
    config.mqttDevices.forEach((device, d) => {
      const path = ['mqttDevices', d];
      claimId(device.id, [...path, 'id']);
      const profile = findProfile(device.profile);
      if (!profile) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'profile'],
          message: `unknown profile "${device.profile}"`,
        });
      } else if (profile.protocol !== 'mqtt') {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'profile'],
          message: `profile "${device.profile}" is a ${profile.protocol} profile, not an MQTT one`,
        });
      }
      const key = `${device.profile}/${device.vendorId}`;
      if (vendorKeys.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'vendorId'],
          message: `vendor id "${device.vendorId}" is used twice for profile "${device.profile}"`,
        });
      }
      vendorKeys.add(key);
    });
  });

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
/** What a config file or `edgeConfigFromSite` may leave out (defaults fill it). */
export type EdgeConfigInput = z.input<typeof edgeConfigSchema>;
