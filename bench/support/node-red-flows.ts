import {
  getModbusProfile,
  planReads,
  protocolAddress,
  resolveRegisters,
  telemetryMeasurement,
  type ModbusProfile,
  type ReadBlock,
} from '../../devices/index.js';
import { DEMO_SITE_FILE, SiteRegistry } from '../../site/index.js';

/** A flows file and its credentials file (Node-RED's `flows.json` and `flows_cred.json`). */
export interface NodeRedFlows {
  nodes: Array<Record<string, unknown>>;
  credentials: Record<string, Record<string, string>>;
}

interface Broker {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  /** A persistent session under this client id (`cleansession` off); Node-RED's default is a clean one. */
  persistentClientId?: string | undefined;
}

/** Flows built node by node; ids are short counters, as Node-RED only needs them unique. */
class FlowBuilder {
  readonly flows: NodeRedFlows = { nodes: [], credentials: {} };
  private next = 0;
  readonly tab: string;

  constructor(label: string) {
    this.tab = this.add({ type: 'tab', label }, false);
  }

  add(node: Record<string, unknown>, onTab = true): string {
    const id = `n${(this.next++).toString(16)}`;
    this.flows.nodes.push({ id, ...(onTab ? { z: this.tab } : {}), ...node });
    return id;
  }

  /** An MQTT broker config node as the editor creates it: MQTT 3.1.1, keepalive 60 s, a clean session unless asked. */
  broker(broker: Broker, name: string): string {
    const url = new URL(broker.url);
    const id = this.add(
      {
        type: 'mqtt-broker',
        name,
        broker: url.hostname,
        port: url.port,
        clientid: broker.persistentClientId ?? '',
        autoConnect: true,
        usetls: false,
        protocolVersion: '4',
        keepalive: '60',
        cleansession: broker.persistentClientId === undefined,
        autoUnsubscribe: true,
        birthTopic: '',
        closeTopic: '',
        willTopic: '',
        sessionExpiry: '',
      },
      false,
    );
    if (broker.username)
      this.flows.credentials[id] = { user: broker.username, password: broker.password ?? '' };
    return id;
  }

  /** `function` node running `code` (the body of Node-RED's function); `initialize` runs once at start. */
  fn(name: string, code: string, wires: string[], initialize = ''): string {
    return this.add({
      type: 'function',
      name,
      func: code,
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize,
      finalize: '',
      libs: [],
      wires: [wires],
    });
  }
}

/** Measurement and tags of every device of the demo site, as ours stores them (ingest/influx/map-points.ts). */
function deviceTable(): Record<string, { measurement: string; tags: Record<string, string> }> {
  const registry = SiteRegistry.fromFile(DEMO_SITE_FILE);
  const table: Record<string, { measurement: string; tags: Record<string, string> }> = {};
  for (const { device, profile } of registry.all()) {
    table[device.id] = {
      measurement: telemetryMeasurement(profile),
      tags: { building: device.building, device: device.id, model: profile.id, zone: device.zone },
    };
  }
  return table;
}

export type IngestFlowKind = 'batch and per-device with join' | 'per-device without join';

/**
 * What an integrator builds to store the gateway's telemetry with Node-RED: `mqtt in` (QoS 1,
 * JSON) → `function` (readings to points, tags from a table of the site's devices) →
 * `influxdb batch` (InfluxDB 1.x, ms precision). Per-device readings are one point a message:
 * with `join` they are gathered 1000 at a time (or after 1 s) into one write; without it each
 * message is one write.
 */
export function ingestFlows(options: {
  kind: IngestFlowKind;
  broker: Broker;
  site: string;
  influxUrl: string;
  database: string;
}): NodeRedFlows {
  const builder = new FlowBuilder(`ingest: ${options.kind}`);
  const broker = builder.broker(options.broker, 'platform broker');
  const influxUrl = new URL(options.influxUrl);
  const influx = builder.add(
    {
      type: 'influxdb',
      hostname: influxUrl.hostname,
      port: influxUrl.port,
      protocol: 'http',
      database: options.database,
      name: 'village',
      usetls: false,
      tls: '',
      influxdbVersion: '1.x',
      url: '',
      rejectUnauthorized: true,
    },
    false,
  );
  const writer = () =>
    builder.add({
      type: 'influxdb batch',
      influxdb: influx,
      precision: 'ms',
      retentionPolicy: '',
      name: 'write',
      database: '',
      precisionV18FluxV20: 'ms',
      retentionPolicyV18Flux: '',
      org: '',
      bucket: '',
      wires: [],
    });
  const mqttIn = (topic: string, wire: string) =>
    builder.add({
      type: 'mqtt in',
      name: topic,
      topic,
      qos: '1',
      datatype: 'json',
      broker,
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [[wire]],
    });
  // The device table is built once, in the function's "On Start" code, as an integrator would.
  const setup = `context.set('devices', ${JSON.stringify(deviceTable())});`;
  const devices = `const DEVICES = context.get('devices');\n`;
  const point = `function point(site, gateway, deviceId, reading) {
  const device = DEVICES[deviceId];
  if (!device) return undefined;
  const fields = Object.assign({}, reading.values, { seq: reading.seq });
  const tags = Object.assign({ site: site, gateway: gateway }, device.tags);
  return { measurement: device.measurement, tags: tags, fields: fields, timestamp: reading.ts };
}
const parts = msg.topic.split('/');
`;
  const perDevice = `${devices}${point}const p = point(parts[1], parts[2], parts[3], msg.payload);
if (!p) return null;
msg.payload = ${options.kind === 'per-device without join' ? '[p]' : 'p'};
return msg;`;
  const telemetryTopic = `v1/${options.site}/+/+/telemetry`;
  if (options.kind === 'per-device without join') {
    mqttIn(telemetryTopic, builder.fn('reading to point', perDevice, [writer()], setup));
    return builder.flows;
  }
  const batch = `${devices}${point}const points = [];
for (const reading of msg.payload.telemetry) {
  const p = point(parts[1], parts[2], reading.device, reading);
  if (p) points.push(p);
}
msg.payload = points;
return msg;`;
  mqttIn(`v1/${options.site}/+/batch`, builder.fn('batch to points', batch, [writer()], setup));
  const join = builder.add({
    type: 'join',
    name: '1000 points',
    mode: 'custom',
    build: 'array',
    property: 'payload',
    propertyType: 'msg',
    key: 'topic',
    joiner: '\\n',
    joinerType: 'str',
    accumulate: false,
    timeout: '1',
    count: '1000',
    reduceRight: false,
    reduceExp: '',
    reduceInit: '',
    reduceInitType: '',
    reduceFixup: '',
    wires: [[writer()]],
  });
  mqttIn(telemetryTopic, builder.fn('reading to point', perDevice, [join], setup));
  return builder.flows;
}

/** Fields of one read block as the decoding function needs them: offsets within the block. */
export function blockFields(profile: ModbusProfile, block: ReadBlock): unknown[] {
  const inBlock = (table: string, address: number) =>
    table === block.table && address >= block.start && address < block.start + block.count;
  const fields: unknown[] = [];
  for (const register of resolveRegisters(profile)) {
    if (!inBlock(register.table, register.address)) continue;
    const shift = register.field.decimalShift;
    const offsetOf = (at: number | undefined) =>
      at === undefined ? undefined : protocolAddress(profile, at) - block.start;
    fields.push({
      name: register.field.field,
      at: register.address - block.start,
      type: register.layout.type,
      lowFirst: register.layout.wordOrder === 'low-first',
      swapBytes: register.layout.byteOrder === 'little',
      scale: register.field.scale,
      ...(shift
        ? {
            decimalsAt: offsetOf(shift.decimalsAt),
            offsetAt: offsetOf(shift.offsetAt),
            unitAt: offsetOf(shift.unitCodeAt),
            unitFactors: shift.unitFactors ?? {},
          }
        : {}),
    });
  }
  return fields;
}

/**
 * The function that turns one block's words into readings: what an integrator writes once and
 * copies per meter (`msg.payload` the words in, `{ ts, values }` out; FIELDS and TOPIC given).
 */
export const DECODE = `const words = msg.payload;
const buffer = Buffer.alloc(4);
const word = (i, swap) => { const w = words[i] & 0xffff; return swap ? ((w & 0xff) << 8) | (w >> 8) : w; };
const values = {};
for (const f of FIELDS) {
  let value;
  const first = word(f.at, f.swapBytes);
  if (f.type === 'uint16') value = first;
  else if (f.type === 'int16') value = first >= 0x8000 ? first - 0x10000 : first;
  else {
    const second = word(f.at + 1, f.swapBytes);
    buffer.writeUInt16BE(f.lowFirst ? second : first, 0);
    buffer.writeUInt16BE(f.lowFirst ? first : second, 2);
    value = f.type === 'int32' ? buffer.readInt32BE(0) : f.type === 'uint32' ? buffer.readUInt32BE(0) : buffer.readFloatBE(0);
  }
  if (f.decimalsAt !== undefined) {
    const offset = f.offsetAt === undefined ? 0 : (words[f.offsetAt] << 16) >> 16;
    const factor = f.unitAt === undefined ? 1 : f.unitFactors[String(words[f.unitAt])];
    if (factor === undefined) continue;
    value = ((value + offset) / Math.pow(10, words[f.decimalsAt])) * factor;
  }
  value *= f.scale;
  if (Number.isFinite(value)) values[f.name] = Number(value.toPrecision(7));
}
msg.topic = TOPIC;
msg.payload = { ts: Date.now(), values: values };
return msg;`;

/**
 * A gateway built with Node-RED: one `modbus-client` per Modbus TCP server (bus), one
 * `modbus-read` every second per block our read planner reads (the same registers, the same
 * number of requests), a `function` decoding the block's fields, `mqtt out` (QoS 1) to the
 * upstream broker, one message per block.
 */
export function gatewayFlows(options: {
  busPorts: readonly number[];
  unitProfiles: readonly string[];
  upstream: Broker;
  site: string;
  gateway: string;
}): NodeRedFlows {
  const builder = new FlowBuilder('gateway');
  const broker = builder.broker(options.upstream, 'upstream');
  const mqttOut = builder.add({
    type: 'mqtt out',
    name: 'upstream',
    topic: '',
    qos: '1',
    retain: 'false',
    broker,
    wires: [],
  });
  options.busPorts.forEach((port, b) => {
    const client = builder.add(
      {
        type: 'modbus-client',
        name: `bus-${b}`,
        clienttype: 'tcp',
        bufferCommands: true,
        stateLogEnabled: false,
        queueLogEnabled: false,
        failureLogEnabled: true,
        tcpHost: '127.0.0.1',
        tcpPort: String(port),
        tcpType: 'DEFAULT',
        serialPort: '/dev/ttyUSB',
        serialType: 'RTU-BUFFERD',
        serialBaudrate: '9600',
        serialDatabits: '8',
        serialStopbits: '1',
        serialParity: 'none',
        serialConnectionDelay: '100',
        serialAsciiResponseStartDelimiter: '0x3A',
        unit_id: 1,
        commandDelay: 1,
        clientTimeout: 1000,
        reconnectOnTimeout: true,
        reconnectTimeout: 2000,
        parallelUnitIdsAllowed: true,
      },
      false,
    );
    options.unitProfiles.forEach((profileId, u) => {
      const profile = getModbusProfile(profileId);
      const device = `meter-${b}-${u + 1}`;
      const topic = `v1/${options.site}/${options.gateway}/${device}/telemetry`;
      for (const block of planReads(profile)) {
        const fields = blockFields(profile, block);
        // Blocks holding only auxiliary registers (decimals, unit codes) are read and sent on, as ours reads them.
        const setup = `context.set('fields', ${JSON.stringify(fields)});\ncontext.set('topic', ${JSON.stringify(topic)});`;
        const code = `const FIELDS = context.get('fields');\nconst TOPIC = context.get('topic');\n${DECODE}`;
        const decode = builder.fn(`${device} ${block.table} ${block.start}`, code, [mqttOut], setup);
        builder.add({
          type: 'modbus-read',
          name: `${device} ${block.table} ${block.start}+${block.count}`,
          topic: '',
          showStatusActivities: false,
          logIOActivities: false,
          showErrors: false,
          unitid: String(u + 1),
          dataType: block.table === 'holding' ? 'HoldingRegister' : 'InputRegister',
          adr: String(block.start),
          quantity: String(block.count),
          rate: '1',
          rateUnit: 's',
          delayOnStart: false,
          startDelayTime: '',
          server: client,
          useIOFile: false,
          ioFile: '',
          useIOForPayload: false,
          emptyMsgOnFail: false,
          wires: [[decode], []],
        });
      }
    });
  });
  return builder.flows;
}
