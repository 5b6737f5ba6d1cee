import type { Registry } from 'prom-client';
import type { ModbusProfile, MqttProfile } from '../devices/index.js';
import type { Component, Logger } from '../runtime/index.js';
import { freePort } from '../stack/index.js';
import { SiteRegistry, type RegisteredDevice } from '../site/index.js';
import type { SimulatorConfig } from './config.js';
import { FaultBook } from './faults/fault-book.js';
import type { Fault, FaultRequest } from './faults/fault-kinds.js';
import { FAULT_TABLE } from './faults/fault-table.js';
import { createSimulatorMetrics } from './metrics.js';
import type { Clock } from './models/conditions.js';
import { createDeviceModel } from './models/create-model.js';
import { BusServer, type BusEndpoint } from './modbus/bus-server.js';
import { SimulatedMeter, type ServedReading } from './modbus/simulated-meter.js';
import { SimulatedMqttDevice } from './mqtt/simulated-mqtt-device.js';
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
 * unit id, one MQTT connection per security device, and faults switchable at run time.
 */
export class Simulator implements Component {
  private site: SiteRegistry | undefined;
  private faultBook: FaultBook | undefined;
  private meters = new Map<string, SimulatedMeter>();
  private buses: BusServer[] = [];
  private mqttDevices = new Map<string, SimulatedMqttDevice>();
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
        const meters = site
          .all()
          .filter(
            (r): r is RegisteredDevice & { profile: ModbusProfile } =>
              r.profile.protocol === 'modbus' && r.device.bus === bus.id,
          )
          .map((r) => new SimulatedMeter(r, createDeviceModel(r, modelContext(r.device.id)), environment));
        for (const meter of meters) this.meters.set(meter.id, meter);
        const port = config.busBasePort > 0 ? config.busBasePort + index : await freePort();
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
        for (const registered of site.all()) {
          if (registered.profile.protocol !== 'mqtt') continue;
          const device = new SimulatedMqttDevice(registered as RegisteredDevice & { profile: MqttProfile }, {
            brokerUrl: config.lanBrokerUrl,
            username: config.lanUsername,
            password: config.lanPassword,
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
    await Promise.all([...this.mqttDevices.values()].map((d) => d.stop()));
    await Promise.all(this.buses.map((b) => b.stop()));
    this.mqttDevices.clear();
    this.buses = [];
    this.meters.clear();
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
    return cleared.fault;
  }

  faults(): Fault[] {
    return this.book().list();
  }

  lastServed(deviceId: string): ServedReading | undefined {
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
