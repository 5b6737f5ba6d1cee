import type { Logger } from '../../runtime/index.js';
import type { Dlt645BusConfig } from '../config/edge-config-schema.js';
import { serialByteLink, tcpByteLink } from '../poll/byte-link.js';
import { Dlt645Transport } from './dlt645-transport.js';

export function createDlt645Transport(bus: Dlt645BusConfig, logger: Logger): Dlt645Transport {
  return new Dlt645Transport(
    bus.transport === 'tcp' ? tcpByteLink('dlt645', bus) : serialByteLink('dlt645', bus),
    logger,
  );
}
