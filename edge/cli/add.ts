import { readFile, rename, writeFile } from 'node:fs/promises';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { getProfile } from '../../devices/index.js';
import { edgeConfigSchema } from '../config/edge-config-schema.js';
import type { BusOptions } from './bus-options.js';
import type { Print } from './print.js';

export interface AddOptions extends BusOptions {
  config: string;
  bus: string;
  id: string;
  profile: string;
  unit?: string;
  address?: string;
  poll: string;
  /** For the platform's site: the device's name, zone and building. */
  name?: string;
  zone?: string;
  building?: string;
  enrolUrl?: string;
  enrolToken?: string;
}

/**
 * Adds a found meter to the gateway's config file (comments kept), after checking the
 * whole file with the gateway's own schema; with `--enrol-url` it first registers the
 * meter with the platform (ingest's enrolment API), so the platform accepts its
 * readings without anyone editing the site file. Exit codes: 0 added, 1 the platform
 * refused, 2 the result would not be a valid config.
 */
export async function addDevice(options: AddOptions, print: Print): Promise<number> {
  const profile = getProfile(options.profile);
  if (profile.protocol === 'mqtt') {
    print('✘ MQTT 设备请在 mqttDevices 中手工添加 / add MQTT devices under mqttDevices by hand');
    return 2;
  }
  const text = await readFile(options.config, 'utf8');
  const doc = parseDocument(text);
  const buses = busList(doc);
  const existing = buses.items.find((b) => isMap(b) && b.get('id') === options.bus);
  let bus = existing;
  if (!bus) {
    bus = doc.createNode(newBus(options, profile.protocol));
    buses.items.push(bus as never);
    print(`+ 新总线 new bus ${options.bus}`);
  }
  if (!isMap(bus)) throw new Error(`bus ${options.bus} is not a mapping in ${options.config}`);
  if (!bus.has('devices')) bus.set('devices', doc.createNode([]));
  const devices = bus.get('devices');
  if (!isSeq(devices)) throw new Error(`bus ${options.bus} devices is not a list in ${options.config}`);
  const slot =
    profile.protocol === 'modbus' ? { unitId: Number(options.unit) } : { address: options.address ?? '' };
  const device = { id: options.id, profile: profile.id, ...slot, pollIntervalS: Number(options.poll) };
  devices.items = devices.items.filter((d) => !(isMap(d) && d.get('id') === options.id));
  devices.items.push(doc.createNode(device, { flow: true }) as never);

  const parsed = edgeConfigSchema().safeParse(doc.toJS());
  if (!parsed.success) {
    print(`✘ 添加后配置无效，未写入 / the config would be invalid; nothing written:`);
    for (const issue of parsed.error.issues) print(`  - ${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const config = parsed.data;
  if (options.enrolUrl) {
    const enrolled = await enrol(options, profile.protocol, print);
    if (!enrolled) return 1;
  } else {
    print(
      `· 未向平台登记 / not enrolled with the platform: 平台站点文件需列出 ${options.id}，否则其读数会被拒收 (DEVICE_UNKNOWN) / the platform's site must list it, or its readings are refused`,
    );
  }
  const temporary = `${options.config}.${process.pid}.tmp`;
  await writeFile(temporary, doc.toString(), { mode: 0o600 });
  await rename(temporary, options.config);
  print(`✔ 已加入 added ${options.id} (${profile.id}) → ${config.site}/${config.gateway} bus ${options.bus}`);
  print(`  下一步 Next: edge check --config ${options.config}; sudo systemctl restart village-gateway`);
  return 0;
}

function busList(doc: Document) {
  if (!doc.hasIn(['modbus', 'buses'])) doc.setIn(['modbus', 'buses'], doc.createNode([]));
  const buses = doc.getIn(['modbus', 'buses']);
  if (!isSeq(buses)) throw new Error('modbus.buses is not a list');
  return buses;
}

/** A bus as a technician would write it: only what differs from the schema's defaults. */
function newBus(options: AddOptions, protocol: 'modbus' | 'dlt645' | 'cjt188'): Record<string, unknown> {
  const line = {
    ...(options.baud ? { baudRate: Number(options.baud) } : {}),
    ...(options.parity ? { parity: options.parity } : {}),
  };
  const remote = options.tcp ?? options.rtuOverTcp;
  const [host, port] = (remote ?? '').split(':');
  const endpoint = options.rtu
    ? { transport: protocol === 'modbus' ? 'rtu' : 'serial', path: options.rtu, ...line }
    : options.tcp && protocol === 'modbus'
      ? { transport: 'tcp', host, ...(port ? { port: Number(port) } : {}) }
      : protocol === 'modbus'
        ? { transport: 'rtu-over-tcp', host, port: Number(port), ...line }
        : { transport: 'tcp', host, port: Number(port) };
  return { id: options.bus, ...(protocol === 'modbus' ? {} : { protocol }), ...endpoint, devices: [] };
}

async function enrol(options: AddOptions, protocol: string, print: Print): Promise<boolean> {
  if (!options.enrolToken) {
    print(
      '✘ 请给出登记令牌 --enrol-token 或 EDGE_ENROL_TOKEN / give the enrolment token (--enrol-token or EDGE_ENROL_TOKEN)',
    );
    return false;
  }
  const device = {
    id: options.id,
    name: options.name ?? options.id,
    profile: options.profile,
    zone: options.zone,
    building: options.building,
    bus: options.bus,
    ...(protocol === 'modbus' ? { unitId: Number(options.unit) } : { meterAddress: options.address }),
    pollIntervalS: Number(options.poll),
  };
  const url = new URL('/api/enrolment/devices', options.enrolUrl).toString();
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.enrolToken}` },
      body: JSON.stringify({ device, bus: { id: options.bus, protocol } }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    print(`✘ 无法连接平台 / cannot reach the platform at ${url}: ${(error as Error).message}`);
    return false;
  }
  const body = (await response.json().catch(() => ({}))) as {
    code?: string;
    zh?: string;
    en?: string;
    issues?: string[];
  };
  if (!response.ok) {
    print(
      `✘ 平台拒绝登记 / the platform refused the enrolment: [${body.code ?? response.status}] ${body.zh ?? ''} / ${body.en ?? ''}`,
    );
    for (const issue of body.issues ?? []) print(`  - ${issue}`);
    return false;
  }
  print(
    `✔ 已在平台登记 / enrolled with the platform: ${options.id} (${response.status === 201 ? '新 new' : '更新 updated'})`,
  );
  return true;
}
