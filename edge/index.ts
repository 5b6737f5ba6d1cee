export {
  edgeConfigSchema,
  busSchema,
  dlt645BusSchema,
  polledBusSchema,
  bufferSchema,
  type EdgeConfig,
  type EdgeConfigInput,
  type BusConfig,
  type Dlt645BusConfig,
  type Dlt645DeviceConfig,
  type PolledBusConfig,
  type BufferConfig,
} from './config/edge-config-schema.js';
export { loadEdgeConfig, EDGE_ENV_MAP, type LoadEdgeConfigOptions } from './config/load-edge-config.js';
export {
  edgeConfigFromSite,
  type BusEndpoint,
  type TcpBusEndpoint,
  type SerialBusEndpoint,
  type UpstreamEndpoint,
  type EdgeConfigFromSiteOptions,
} from './config/config-from-site.js';
export { Gateway, type GatewayOptions } from './gateway.js';
export { createGateway, startGateway } from './run-gateway.js';
export type { DeviceStatus, DeviceProtocol } from './device-status.js';
export type { ModbusTransport } from './modbus/modbus-transport.js';
export type { QueueStats } from './buffer/durable-queue.js';
export type { GatewayStatusSnapshot } from './http/edge-http.js';
export { EdgeError, EDGE_ERROR_CATALOGUE, type EdgeErrorCode } from './errors.js';
export { EDGE_PROCESS_ENV, EDGE_HEAP_LIMIT_MB } from './process-env.js';
export {
  addLanCredential,
  removeLanCredential,
  readLanCredentials,
  writeLanCredentials,
  lanCredentialsFileOf,
  type AddLanCredentialInput,
  type LanCredential,
} from './lan/lan-credentials.js';
