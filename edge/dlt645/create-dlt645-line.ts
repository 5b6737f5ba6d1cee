import type { Logger } from '../../runtime/index.js';
import type { Dlt645BusConfig } from '../config/edge-config-schema.js';
import { BusScheduler } from '../modbus/bus-scheduler.js';
import { interFrameDelayMs } from '../modbus/serial-timing.js';
import { serialDlt645Link, tcpDlt645Link } from './dlt645-link.js';
import { Dlt645Transport } from './dlt645-transport.js';

export function createDlt645Transport(bus: Dlt645BusConfig, logger: Logger): Dlt645Transport {
  return new Dlt645Transport(bus.transport === 'tcp' ? tcpDlt645Link(bus) : serialDlt645Link(bus), logger);
}

/**
 * One request at a time on a DL/T 645 line (RS-485 is half duplex, and a converter
 * has one line behind it), with at least 3.5 characters of silence after each reply
 * on a local serial line; behind a converter only the configured gap.
 */
export function createDlt645Scheduler(bus: Dlt645BusConfig): BusScheduler {
  const gapMs = bus.transport === 'tcp' ? (bus.interFrameDelayMs ?? 0) : interFrameDelayMs(bus);
  return new BusScheduler({ concurrency: 1, gapMs });
}
