export { edgeConfigSchema, type EdgeConfig, type EdgeConfigInput } from './config/edge-config-schema.js';
export { loadEdgeConfig, EDGE_ENV_MAP, type LoadEdgeConfigOptions } from './config/load-edge-config.js';
export {
  edgeConfigFromSite,
  type BusEndpoint,
  type UpstreamEndpoint,
  type EdgeConfigFromSiteOptions,
} from './config/config-from-site.js';
export { Gateway, type GatewayOptions } from './gateway.js';
export type { DeviceStatus } from './device-status.js';
export type { ModbusTransport } from './modbus/modbus-transport.js';
