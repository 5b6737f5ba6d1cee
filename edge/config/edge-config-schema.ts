import { z } from 'zod';
import { gatewayIdSchema, idSchema } from '../../contracts/index.js';
import {
  findProfile,
  isCjt188Address,
  isDlt645Address,
  normaliseCjt188Address,
  normaliseDlt645Address,
} from '../../devices/index.js';
import { configBoolean, configNumber, configStringList, httpsFilesSchema } from '../../runtime/index.js';

const PROTOCOL_NAMES = { modbus: 'Modbus', dlt645: 'DL/T 645', cjt188: 'CJ/T 188' } as const;
const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

/**
 * The gateway config's zod schemas, built when a caller asks rather than at import. A zod 4
 * schema is an object with closures of its own, and these come to about 1 MB of V8 heap; the
 * daemon checks its config once at start-up, and a module's constants would keep them for as
 * long as it runs (bench/README.md, _Gateway memory_). Each exported function below builds a
 * fresh set: cheap for a start-up or a CLI command, not for a loop.
 */
function buildEdgeConfigSchemas() {
  const portSchema = configNumber().pipe(z.number().int().min(0).max(65535));
  const hostSchema = z.string().min(1);

  const brokerUrlSchema = z
    .string()
    .regex(/^(mqtts?|tcp|tls|wss?):\/\/.+/, 'must be an mqtt://, mqtts://, ws:// or wss:// URL');

  const upstreamSchema = z.strictObject({
    url: brokerUrlSchema,
    /** Other nodes of the broker cluster, tried in turn when the current one is unreachable. */
    failoverUrls: configStringList().pipe(z.array(brokerUrlSchema)).default([]),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    clientId: z.string().min(1).max(64).optional(),
    keepaliveS: configNumber().pipe(z.number().int().min(5).max(600)).default(30),
    reconnectMs: configNumber().pipe(z.number().int().min(100).max(60_000)).default(2_000),
  });

  /** The old plaintext `lan.users`: refused with what to do instead. */
  const LAN_USERS_GONE =
    'lan.users held plaintext passwords and is no longer read: add each device with ' +
    '`npx tsx edge/cli.ts lan add <device-id> --config <file>` (hashed into lan.credentialsFile) / ' +
    'lan.users 为明文密码，已不再支持：请用 `edge/cli.ts lan add` 为每台设备生成凭据';

  /**
   * The LAN broker that cameras, door controllers, fire panels and emergency lights
   * publish to. Deny by default: each device logs in with its own credential (scrypt
   * hashes in `credentialsFile`, written by `edge/cli.ts lan add`) and publishes only on
   * its profile's vendor topics; nobody subscribes. Devices that cannot hold a
   * credential need `allowAnonymous`, which the technician turns on knowingly: anyone on
   * the LAN may then publish as any configured device (the status page says so).
   */
  const lanSchema = z.strictObject({
    enabled: configBoolean().default(true),
    host: hostSchema.default('127.0.0.1'),
    port: portSchema.default(1884),
    /** Default: `lan-credentials.json` in `dataDir`. */
    credentialsFile: z.string().min(1).optional(),
    allowAnonymous: configBoolean().default(false),
    /** Largest MQTT packet a LAN device may send; a bigger one is cut off before it is buffered. */
    maxPacketBytes: configNumber()
      .pipe(
        z
          .number()
          .int()
          .min(1024)
          .max(16 * 1024 * 1024),
      )
      .default(64 * 1024),
    users: z.undefined({ error: LAN_USERS_GONE }).optional(),
  });

  const httpSchema = z.strictObject({
    host: hostSchema.default('127.0.0.1'),
    port: portSchema.default(9103),
    /** Serve the status page, API and probes over HTTPS with these PEM files (a LAN where that matters). */
    https: httpsFilesSchema.optional(),
  });

  const publishSchema = z.strictObject({
    /**
     * `batch` (default) puts every device's telemetry of `batchIntervalMs` in one message on
     * `v1/{site}/{gateway}/batch`: the broker's per-message cost is paid once per batch, not
     * once per reading. `per-device` sends each reading on its device's topic at once. Events
     * always go out at once: a fire alarm does not wait for a batch.
     */
    mode: z.enum(['per-device', 'batch']).default('batch'),
    batchIntervalMs: configNumber().pipe(z.number().int().min(50).max(60_000)).default(1_000),
    /**
     * How a batch travels (contracts/batch-encoding.ts): `gzip` (default) folds away the field
     * names and device ids every reading repeats, several times fewer bytes on a metered 4G
     * uplink; `brotli` about a sixth fewer again on a minute's batch, for more CPU per byte
     * (worth it with long batch intervals); `json` for a platform older than compressed batches.
     */
    batchEncoding: z.enum(['brotli', 'gzip', 'json']).default('gzip'),
  });

  /** The device's name as the site calls it (社区食堂水表), shown on the status page. */
  const deviceName = { name: z.string().min(1).max(100).optional() };

  /**
   * Report by exception (edge/upstream/report-by-exception.ts): a field is sent when it moved
   * past its deadband since the value last sent, and every field at least every
   * `maxIntervalS`; without `maxIntervalS` every reading is sent. `deadbands` override the
   * profile's, in each field's unit.
   */
  const reporting = {
    maxIntervalS: configNumber().pipe(z.number().positive().max(86_400)).optional(),
    deadbands: z.record(z.string(), z.number().nonnegative().finite()).optional(),
  };

  const modbusDeviceSchema = z.strictObject({
    id: idSchema,
    ...deviceName,
    profile: idSchema,
    /** Modbus TCP allows 0–255 (255 often means "the gateway itself"); RS-485 uses 1–247. */
    unitId: z.number().int().min(0).max(255),
    pollIntervalS: configNumber().pipe(z.number().positive().max(3600)).default(10),
    ...reporting,
    /** Overrides the bus' per-transaction timeout for a slow meter. */
    timeoutMs: configNumber().pipe(z.number().int().min(20).max(30_000)).optional(),
  });

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

  /** Buses without `protocol` are Modbus buses, as before DL/T 645 was supported. */
  const modbusProtocol = { protocol: z.literal('modbus').default('modbus') };

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
  const tcpBusSchema = z.strictObject({
    ...busBase,
    ...modbusProtocol,
    transport: z.literal('tcp'),
    ...tcpEndpoint,
    /**
     * Transactions in flight at once. 1 suits a TCP→RS-485 converter (one line behind
     * it); a real Modbus TCP device may take more.
     */
    maxConcurrent: configNumber().pipe(z.number().int().min(1).max(16)).default(1),
  });

  /** RS-485 on a local serial port (USB adapter, HAT): one transaction at a time. */
  const rtuBusSchema = z.strictObject({
    ...busBase,
    ...modbusProtocol,
    transport: z.literal('rtu'),
    path: z.string().min(1),
    ...serialLine,
  });

  /** Raw RTU frames (with CRC) through a transparent TCP→RS-485 converter. */
  const rtuOverTcpBusSchema = z.strictObject({
    ...busBase,
    ...modbusProtocol,
    transport: z.literal('rtu-over-tcp'),
    ...tcpEndpoint,
    ...serialLine,
  });

  /** A Modbus bus (the protocol the CLI's `--tcp`/`--rtu` options default to). */
  const busSchema = z.discriminatedUnion('transport', [tcpBusSchema, rtuBusSchema, rtuOverTcpBusSchema]);

  /**
   * A meter addressed by the number on its nameplate (`digits` long; a shorter number is
   * zero-padded by `normalise`), polled every `defaultPollS` unless it says otherwise.
   */
  function nameplateMeterSchema(
    digits: number,
    normalise: (address: string) => string,
    defaultPollS: number,
  ) {
    const pattern = new RegExp(`^[0-9]{1,${digits}}$`);
    return z.strictObject({
      id: idSchema,
      ...deviceName,
      profile: idSchema,
      address: z
        .union([z.string(), z.number().int().nonnegative()])
        .transform((value) => String(value))
        .refine((value) => pattern.test(value), `must be the ${digits}-digit meter address (digits only)`)
        .transform((value) => normalise(value)),
      pollIntervalS: configNumber().pipe(z.number().positive().max(3600)).default(defaultPollS),
      ...reporting,
      /** Overrides the bus' per-request timeout for a slow meter. */
      timeoutMs: configNumber().pipe(z.number().int().min(20).max(30_000)).optional(),
    });
  }

  /** A DL/T 645 meter: the 12-digit address on its nameplate. */
  const dlt645DeviceSchema = nameplateMeterSchema(12, normaliseDlt645Address, 10);

  /**
   * A line of meters that speak a byte-framed protocol addressed by nameplate number
   * (DL/T 645, CJ/T 188): on a local RS-485 port, or raw frames through a transparent
   * TCP→RS-485 converter (which then sets the line's baud rate itself).
   */
  function meterLineBusSchema<P extends 'dlt645' | 'cjt188', D extends z.ZodType>(protocol: P, device: D) {
    const base = {
      ...busBase,
      protocol: z.literal(protocol),
      /**
       * Per-request timeout. A poll sends one request per data identifier; at 2400 baud a
       * request and its reply take about 0.2 s on the wire, and meters may wait 0.5 s to answer.
       */
      timeoutMs: configNumber().pipe(z.number().int().min(20).max(30_000)).default(1_500),
      devices: z.array(device).default([]),
      /** Silence kept after each reply before the next request (at least 3.5 characters on a serial line). */
      interFrameDelayMs: configNumber().pipe(z.number().min(0).max(1_000)).optional(),
    };
    const serial = z.strictObject({
      ...base,
      transport: z.literal('serial').default('serial'),
      path: z.string().min(1),
      /** Most DL/T 645 and CJ/T 188 meters leave the factory at 2400 baud 8E1. */
      baudRate: configNumber().pipe(z.number().int().min(300).max(921_600)).default(2400),
      parity: z.enum(['none', 'even', 'odd']).default('even'),
      dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
      stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    });
    const tcp = z.strictObject({
      ...base,
      transport: z.literal('tcp'),
      host: hostSchema,
      /** Converters have no standard port for transparent mode (often 4001, 8899, 502): give it. */
      port: portSchema,
      connectTimeoutMs: tcpEndpoint.connectTimeoutMs,
    });
    return z.discriminatedUnion('transport', [serial, tcp]);
  }

  /** DL/T 645 meters (most State Grid household electricity meters). */
  const dlt645BusSchema = meterLineBusSchema('dlt645', dlt645DeviceSchema);

  /** A CJ/T 188 water meter: the 14-digit address printed on it. */
  const cjt188DeviceSchema = nameplateMeterSchema(14, normaliseCjt188Address, 60);

  /** CJ/T 188 household water meters (`protocol: cjt188`). */
  const cjt188BusSchema = meterLineBusSchema('cjt188', cjt188DeviceSchema);

  /** Any bus the gateway polls: Modbus (the default) or DL/T 645 (`protocol: dlt645`). */
  const polledBusSchema = z.discriminatedUnion('protocol', [busSchema, dlt645BusSchema, cjt188BusSchema]);

  /**
   * The store-and-forward buffer under `dataDir/buffer`: every upstream message except
   * the retained status is written here (fsync'd in groups) before it is published.
   */
  const bufferSchema = z.strictObject({
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

  const modbusSchema = z.strictObject({
    /** Consecutive failed polls before a device is reported offline. */
    offlineAfterFailures: configNumber().pipe(z.number().int().min(1).max(100)).default(3),
    /** Poll interval while a device is offline, so a dead meter costs its bus little. */
    offlinePollIntervalS: configNumber().pipe(z.number().positive().max(3600)).default(30),
    /** Modbus buses, and DL/T 645 buses (`protocol: dlt645`) which share the offline settings above. */
    buses: z.array(polledBusSchema).default([]),
  });

  const mqttDeviceSchema = z.strictObject({
    id: idSchema,
    ...deviceName,
    profile: idSchema,
    vendorId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only (it is a topic level)'),
    /** Longest silence before the device is reported offline, s; the profile's `heartbeatS` when absent. */
    heartbeatS: configNumber().pipe(z.number().int().positive().max(86_400)).optional(),
  });

  /**
   * The platform's gateway API (ingest): what it refused of this gateway's messages, and
   * its clock, shown on the status page and by `check`. The token is the gateway's
   * enrolment token (docs/enrolment.md).
   */
  const platformSchema = z.strictObject({
    url: z.string().regex(/^https?:\/\/.+/, 'must be an http:// or https:// URL of the platform (ingest)'),
    token: z.string().min(16),
    pollS: configNumber().pipe(z.number().min(5).max(3600)).default(60),
  });

  const edgeConfig = z
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
      platform: platformSchema.optional(),
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
        const checkProfile = (profileId: string, path: (string | number)[]) => {
          const profile = findProfile(profileId);
          if (!profile) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'profile'],
              message: `unknown profile "${profileId}"`,
            });
          } else if (profile.protocol !== bus.protocol) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'profile'],
              message: `profile "${profileId}" is ${article(profile.protocol)} ${profile.protocol} profile, not a ${PROTOCOL_NAMES[bus.protocol]} one`,
            });
          }
        };
        if (bus.protocol !== 'modbus') {
          const addresses = new Set<string>();
          const isAddress = bus.protocol === 'dlt645' ? isDlt645Address : isCjt188Address;
          bus.devices.forEach((device, d) => {
            const path = ['modbus', 'buses', b, 'devices', d];
            claimId(device.id, [...path, 'id']);
            checkProfile(device.profile, path);
            // An address refused by its own schema is reported there already.
            if (!isAddress(device.address)) return;
            if (addresses.has(device.address)) {
              ctx.addIssue({
                code: 'custom',
                path: [...path, 'address'],
                message: `meter address ${device.address} is used twice on bus "${bus.id}"`,
              });
            }
            addresses.add(device.address);
          });
          return;
        }
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
          checkProfile(device.profile, path);
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

  return {
    modbusDevice: modbusDeviceSchema,
    bus: busSchema,
    rtuBus: rtuBusSchema,
    dlt645Device: dlt645DeviceSchema,
    dlt645Bus: dlt645BusSchema,
    cjt188Device: cjt188DeviceSchema,
    cjt188Bus: cjt188BusSchema,
    polledBus: polledBusSchema,
    buffer: bufferSchema,
    mqttDevice: mqttDeviceSchema,
    platform: platformSchema,
    edgeConfig,
  };
}
type Schemas = ReturnType<typeof buildEdgeConfigSchemas>;

/** The whole gateway config (edge.example.yaml), with the cross-field checks. */
export const edgeConfigSchema = (): Schemas['edgeConfig'] => buildEdgeConfigSchemas().edgeConfig;
/** A Modbus bus (the protocol the CLI's `--tcp`/`--rtu` options default to). */
export const busSchema = (): Schemas['bus'] => buildEdgeConfigSchemas().bus;
/** Any bus the gateway polls: Modbus (the default), DL/T 645 or CJ/T 188. */
export const polledBusSchema = (): Schemas['polledBus'] => buildEdgeConfigSchemas().polledBus;
export const dlt645BusSchema = (): Schemas['dlt645Bus'] => buildEdgeConfigSchemas().dlt645Bus;
export const cjt188BusSchema = (): Schemas['cjt188Bus'] => buildEdgeConfigSchemas().cjt188Bus;
export const bufferSchema = (): Schemas['buffer'] => buildEdgeConfigSchemas().buffer;

export type ModbusDeviceConfig = z.infer<Schemas['modbusDevice']>;

export type BusConfig = z.infer<Schemas['bus']>;

export type Dlt645DeviceConfig = z.infer<Schemas['dlt645Device']>;

export type Dlt645BusConfig = z.infer<Schemas['dlt645Bus']>;

export type Cjt188DeviceConfig = z.infer<Schemas['cjt188Device']>;

export type Cjt188BusConfig = z.infer<Schemas['cjt188Bus']>;

export type PolledBusConfig = z.infer<Schemas['polledBus']>;

export type SerialLineConfig = Pick<
  z.infer<Schemas['rtuBus']>,
  'baudRate' | 'parity' | 'dataBits' | 'stopBits' | 'interFrameDelayMs'
>;

export type BufferConfig = z.infer<Schemas['buffer']>;

export type MqttDeviceConfig = z.infer<Schemas['mqttDevice']>;

export type PlatformConfig = z.infer<Schemas['platform']>;

export type EdgeConfig = z.infer<Schemas['edgeConfig']>;
/** What a config file or `edgeConfigFromSite` may leave out (defaults fill it). */
export type EdgeConfigInput = z.input<Schemas['edgeConfig']>;
