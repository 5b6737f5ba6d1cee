import type { Logger } from '../../runtime/index.js';
import type { BusConfig } from '../config/edge-config-schema.js';
import { BusScheduler } from './bus-scheduler.js';
import { ClientTransport } from './client-transport.js';
import type { ModbusTransport } from './modbus-transport.js';
import { rtuOverTcpLink } from './rtu-over-tcp-link.js';
import { serialLink } from './serial-link.js';
import { interFrameDelayMs } from './serial-timing.js';
import { tcpLink } from './tcp-link.js';

/** The transport for a bus' line. */
export function createTransport(bus: BusConfig, logger: Logger): ModbusTransport {
  switch (bus.transport) {
    case 'tcp':
      return new ClientTransport(tcpLink(bus), logger);
    case 'rtu':
      return new ClientTransport(serialLink(bus.path, bus), logger);
    case 'rtu-over-tcp':
      return new ClientTransport(rtuOverTcpLink(bus), logger);
  }
}

/**
 * How the bus is shared: a serial line (local or behind a converter) carries one
 * transaction at a time with the inter-frame silence after each; Modbus TCP takes up
 * to `maxConcurrent`.
 */
export function createScheduler(bus: BusConfig): BusScheduler {
  return bus.transport === 'tcp'
    ? new BusScheduler({ concurrency: bus.maxConcurrent, gapMs: 0 })
    : new BusScheduler({ concurrency: 1, gapMs: interFrameDelayMs(bus) });
}
