export { simulatorConfigSchema, loadSimulatorConfig, SIMULATOR_ENV } from './config.js';
export type { SimulatorConfig, SimulatorConfigInput } from './config.js';
export { Simulator, type SimulatorOptions } from './simulator.js';
export {
  lanDeviceCredentialsSchema,
  readLanDeviceCredentials,
  type LanDeviceCredentials,
} from './lan-device-credentials.js';
export { SimulatorService } from './service.js';
export { FAULT_KINDS, faultKindSchema, faultRequestSchema, faultSchema } from './faults/fault-kinds.js';
export type { Fault, FaultKind, FaultRequest } from './faults/fault-kinds.js';
export { FAULT_TABLE, type FaultEffect } from './faults/fault-table.js';
export { FaultTargetError } from './faults/fault-book.js';
export type { BusEndpoint } from './modbus/bus-server.js';
export type { ServedReading } from './modbus/simulated-meter.js';
export { NORMAL_CONDITIONS, type Clock, type DeviceModel, type SimConditions } from './models/conditions.js';
export { ElectricityMeterModel, type ElectricityMeterSpec } from './models/electricity.js';
export { FlowMeterModel, velocityMps, pipeDiameterM, type FlowMeterSpec } from './models/flow.js';
export {
  PressureTransmitterModel,
  LOW_PRESSURE_MPA,
  type PressureTransmitterSpec,
} from './models/pressure.js';
export { WaterQualityModel } from './models/water-quality.js';
export { electricLoadFraction, waterDemandFraction, type ZoneKind } from './models/load-curves.js';
export { createDeviceModel } from './models/create-model.js';
export { hourOfDay } from './models/time-of-day.js';
export { seededRandom, deviceRandom, type Random } from './random.js';
export type { MeterMode } from './modbus/simulated-meter.js';
export { Dlt645Line, type Dlt645LineOptions, type Dlt645Outcome } from './dlt645/dlt645-line.js';
export { Cjt188Line, type Cjt188LineOptions } from './cjt188/cjt188-line.js';
export { Cjt188TcpServer, type Cjt188TcpServerOptions } from './cjt188/cjt188-tcp-server.js';
export {
  SimulatedCjt188Meter,
  type Cjt188MeterSpec,
  type Cjt188MeterEnvironment,
} from './cjt188/simulated-water-meter.js';
export {
  MeterLine,
  openSerialPort,
  type LineMeter,
  type LineOutcome,
  type MeterLineOptions,
} from './line/meter-line.js';
export { observePtyLine, hearsLine, type ObservedLine, type SerialSettings } from './line/observed-line.js';
export {
  SimulatedDlt645Meter,
  type Dlt645MeterSpec,
  type Dlt645MeterEnvironment,
} from './dlt645/simulated-dlt645-meter.js';
export { startPtyPair, type PtyPair, type PtyPairOptions } from './dlt645/pty-pair.js';
export { Dlt645TcpServer, type Dlt645TcpServerOptions } from './dlt645/dlt645-tcp-server.js';
