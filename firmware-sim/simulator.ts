import type { Registry } from 'prom-client';
import {
  profileFields,
  type Cjt188Profile,
  type Dlt645Profile,
  type ModbusProfile,
  type MqttProfile,
} from '../devices/index.js';
import { freePort, type Component, type Logger } from '../runtime/index.js';
import { SiteRegistry, type RegisteredDevice } from '../site/index.js';
import type { SimulatorConfig } from './config.js';
import { FaultBook } from './faults/fault-book.js';
import type { Fault, FaultRequest } from './faults/fault-kinds.js';
import { FAULT_TABLE } from './faults/fault-table.js';
import { createSimulatorMetrics } from './metrics.js';
import type { Clock } from './models/conditions.js';
import type { DeviceModel } from './models/conditions.js';
import { createDeviceModel } from './models/create-model.js';
import { Cjt188TcpServer } from './cjt188/cjt188-tcp-server.js';
import { Dlt645TcpServer } from './dlt645/dlt645-tcp-server.js';
import type { LineServer } from './line/line-tcp-server.js';
import { BusServer, type BusEndpoint } from './modbus/bus-server.js';
import { SimulatedMeter, type ServedReading } from './modbus/simulated-meter.js';
import { wantsEmergency } from './mqtt/emergency-state.js';
import { SimulatedMqttDevice } from './mqtt/simulated-mqtt-device.js';
import { readLanDeviceCredentials } from './lan-device-credentials.js';
import { deviceRandom } from './random.js';

export interface SimulatorOptions {
  config: Readonly<SimulatorConfig>;
  logger: Logger;
  /** Defaults to Date.now; tests move time themselves. */
  clock?: Clock;
  /** A site already loaded; otherwise `config.siteFile` is read at start. */
  site?: SiteRegistry;
  registry?: Registry;
}

type FrozenValues = Readonly<Record<string, Readonly<Record<string, number>>>>;

/**
 * The simulated village: one Modbus TCP server per site bus serving its meters by
 * unit id (a DL/T 645 bus: a raw-frame TCP server, as a transparent RS-485 converter),
 * one MQTT connection per security device, and faults switchable at run time.
 */
export class Simulator implements Component {
  private site: SiteRegistry | undefined;
  private faultBook: FaultBook | undefined;
  private meters = new Map<string, SimulatedMeter>();
  private buses: Array<BusServer | LineServer> = [];
  /** DL/T 645 and CJ/T 188 meters by device id: their line, address, model and fields. */
  private lineMeters = new Map<
    string,
    { server: LineServer; address: string; model: DeviceModel; fields: string[] }
  >();
  private mqttDevices = new Map<string, SimulatedMqttDevice>();
  private readonly linkageTimers = new Set<NodeJS.Timeout>();
  private frozen: Map<string, Record<string, number>> | undefined;
  private version = 0;
  private running = false;

  constructor(private readonly options: SimulatorOptions) {}

  private get clock(): Clock {
    return this.options.clock ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config, logger } = this.options;
    const site = this.options.site ?? SiteRegistry.fromFile(config.siteFile);
    this.site = site;
    const faults = new FaultBook(site);
    this.faultBook = faults;
    const metrics = createSimulatorMetrics(this.options.registry);
    const modelContext = (id: string) => ({
      clock: this.clock,
      random: deviceRandom(config.seed, id),
      utcOffsetMinutes: config.utcOffsetMinutes,
    });
    const environment = {
      clock: this.clock,
      conditions: (id: string) => faults.conditionsFor(id),
      mode: (id: string) => faults.modbusModeFor(id),
      frozen: (id: string) => this.frozen?.get(id),
      version: () => this.version,
      refreshMs: config.imageRefreshMs,
    };
    this.running = true;
    try {
      for (const [index, bus] of site.site.buses.entries()) {
        const port = config.busBasePort > 0 ? config.busBasePort + index : await freePort();
        if (bus.protocol !== 'modbus') {
          await this.startMeterLineBus(site, bus.id, bus.protocol, port, modelContext);
          continue;
        }
        const meters = site
          .all()
          .filter(
            (r): r is RegisteredDevice & { profile: ModbusProfile } =>
              r.profile.protocol === 'modbus' && r.device.bus === bus.id,
          )
          .map((r) => new SimulatedMeter(r, createDeviceModel(r, modelContext(r.device.id)), environment));
        for (const meter of meters) this.meters.set(meter.id, meter);
        const server = new BusServer(
          { busId: bus.id, host: config.host, port },
          meters,
          logger.child({ component: 'sim.modbus' }),
          metrics.modbusRequest,
        );
        await server.start();
        this.buses.push(server);
      }
      if (config.lanBrokerUrl) {
        const credentials = config.lanCredentialsFile
          ? await readLanDeviceCredentials(config.lanCredentialsFile)
          : {};
        for (const registered of site.all()) {
          if (registered.profile.protocol !== 'mqtt') continue;
          const own = credentials[registered.device.id];
          const device = new SimulatedMqttDevice(registered as RegisteredDevice & { profile: MqttProfile }, {
            brokerUrl: config.lanBrokerUrl,
            username: own?.username ?? config.lanUsername,
            password: own?.password ?? config.lanPassword,
            clock: this.clock,
            random: deviceRandom(config.seed, registered.device.id),
            utcOffsetMinutes: config.utcOffsetMinutes,
            intervals: config.intervals,
            faultsOn: (id) => faults.kindsOn(id),
            logger: logger.child({ component: 'sim.mqtt' }),
            onPublish: metrics.mqttPublish,
          });
          this.mqttDevices.set(registered.device.id, device);
          await device.start();
        }
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.linkageTimers) clearTimeout(timer);
    this.linkageTimers.clear();
    await Promise.all([...this.mqttDevices.values()].map((d) => d.stop()));
    await Promise.all(this.buses.map((b) => b.stop()));
    this.mqttDevices.clear();
    this.buses = [];
    this.meters.clear();
    this.lineMeters.clear();
    this.frozen = undefined;
  }

  /** Ready when every bus listens and every MQTT device is connected to the LAN broker. */
  ready(): boolean {
    return this.running && [...this.mqttDevices.values()].every((d) => d.connected);
  }

  busEndpoints(): BusEndpoint[] {
    return this.buses.map((b) => ({ ...b.endpoint }));
  }

  injectFault(request: FaultRequest): Fault {
    const { fault, affected, created } = this.book().inject(request, this.clock());
    if (created) {
      this.version += 1;
      this.options.logger.info({ fault }, 'fault on');
      this.runMqttEffects(fault, affected, 'start');
      this.syncEmergencyLighting();
    }
    return fault;
  }

  /** Clears a fault; returns it, or undefined when no fault has that id. */
  clearFault(id: string): Fault | undefined {
    const cleared = this.book().clear(id);
    if (!cleared) return undefined;
    this.version += 1;
    this.options.logger.info({ fault: cleared.fault }, 'fault off');
    this.runMqttEffects(cleared.fault, cleared.affected, 'clear');
    this.syncEmergencyLighting();
    return cleared.fault;
  }

  /**
   * Lights follow the faults into and out of emergency mode, each after the linkage
   * delay; a light whose wish changed back in the meantime does nothing.
   */
  private syncEmergencyLighting(): void {
    const site = this.site;
    if (!site) return;
    for (const device of this.mqttDevices.values()) {
      if (device.registered.profile.category !== 'emergency-light') continue;
      if (wantsEmergency(device.registered, this.book(), site) === device.inEmergency) continue;
      const timer = setTimeout(() => {
        this.linkageTimers.delete(timer);
        if (this.running) device.setEmergency(wantsEmergency(device.registered, this.book(), site));
      }, this.options.config.intervals.linkageMs);
      this.linkageTimers.add(timer);
    }
  }

  faults(): Fault[] {
    return this.book().list();
  }

  lastServed(deviceId: string): ServedReading | undefined {
    const onLine = this.lineMeters.get(deviceId);
    if (onLine) return onLine.server.lastServed(onLine.address);
    return this.meters.get(deviceId)?.lastServed();
  }

  /**
   * Makes every meter serve constant values, so an end-to-end test can compare
   * exactly. Each meter freezes at its current reading; `values` overrides fields per
   * device id. Returns the frozen values.
   */
  freeze(values: FrozenValues = {}): Record<string, Record<string, number>> {
    const frozen = new Map<string, Record<string, number>>();
    for (const [id, meter] of this.meters) frozen.set(id, { ...meter.currentValues(), ...values[id] });
    for (const [id, { model, fields }] of this.lineMeters) {
      const current = model.read(this.book().conditionsFor(id));
      const served = Object.fromEntries(
        fields.flatMap((field) => (current[field] === undefined ? [] : [[field, current[field]]])),
      ) as Record<string, number>;
      frozen.set(id, { ...served, ...values[id] });
    }
    this.frozen = frozen;
    this.version += 1;
    return Object.fromEntries(frozen);
  }

  unfreeze(): void {
    this.frozen = undefined;
    this.version += 1;
  }

  get isFrozen(): boolean {
    return this.frozen !== undefined;
  }

  /**
   * A DL/T 645 or CJ/T 188 bus: its meters behind a raw-frame TCP server, as a
   * transparent converter; faults and freeze applied by device id.
   */
  private async startMeterLineBus(
    site: SiteRegistry,
    busId: string,
    protocol: 'dlt645' | 'cjt188',
    port: number,
    modelContext: (id: string) => Parameters<typeof createDeviceModel>[1],
  ): Promise<void> {
    const { config, logger } = this.options;
    const registered = site
      .all()
      .filter(
        (r): r is RegisteredDevice & { profile: Dlt645Profile | Cjt188Profile } =>
          r.profile.protocol === protocol && r.device.bus === busId && r.device.meterAddress !== undefined,
      );
    const idOf = new Map(registered.map((r) => [r.device.meterAddress as string, r.device.id]));
    const faults = this.book();
    const meters = registered.map((r) => {
      const model = createDeviceModel(r, modelContext(r.device.id));
      const id = r.device.id;
      // While the village is frozen a meter serves its frozen values.
      const frozenModel: DeviceModel = {
        read: (conditions) => this.frozen?.get(id) ?? model.read(conditions),
      };
      return { registered: r, model, address: r.device.meterAddress as string, frozenModel };
    });
    const lineOptions = {
      logger: logger.child({ component: `sim.${protocol}`, bus: busId }),
      clock: this.clock,
      refreshMs: config.imageRefreshMs,
      conditions: (address: string) => faults.conditionsFor(idOf.get(address) ?? ''),
      mode: (address: string) => faults.modbusModeFor(idOf.get(address) ?? ''),
    };
    const where = { busId, host: config.host, port };
    const server: LineServer =
      protocol === 'dlt645'
        ? new Dlt645TcpServer(where, {
            ...lineOptions,
            meters: meters.map((m) => ({
              address: m.address,
              profile: m.registered.profile as Dlt645Profile,
              model: m.frozenModel,
            })),
          })
        : new Cjt188TcpServer(where, {
            ...lineOptions,
            utcOffsetMinutes: config.utcOffsetMinutes,
            meters: meters.map((m) => ({
              address: m.address,
              profile: m.registered.profile as Cjt188Profile,
              model: m.frozenModel,
            })),
          });
    await server.start();
    this.buses.push(server);
    for (const { registered: r, model, address } of meters) {
      this.lineMeters.set(r.device.id, { server, address, model, fields: profileFields(r.profile) });
    }
  }

  private book(): FaultBook {
    if (!this.faultBook) throw new Error('the simulator is not started');
    return this.faultBook;
  }

  private runMqttEffects(fault: Fault, affected: RegisteredDevice[], phase: 'start' | 'clear'): void {
    const effects = FAULT_TABLE[fault.kind].mqtt;
    for (const { device, profile } of affected) {
      const simulated = this.mqttDevices.get(device.id);
      const effect = effects?.[profile.category]?.[phase];
      if (!simulated || !effect) continue;
      try {
        effect(simulated.context);
      } catch (error) {
        this.options.logger.error({ err: error, device: device.id, fault: fault.id }, 'fault effect failed');
      }
    }
  }
}
