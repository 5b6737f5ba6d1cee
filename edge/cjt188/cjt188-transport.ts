import { Cjt188FrameReader, type Cjt188Error, type Cjt188Frame } from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import type { Cjt188BusConfig } from '../config/edge-config-schema.js';
import { serialByteLink, tcpByteLink, type ByteLink } from '../poll/byte-link.js';
import { FrameTransport, lineCodes, type FrameExchange } from '../poll/frame-transport.js';

export type Cjt188Exchange = FrameExchange<Cjt188Frame>;

/** A CJ/T 188 master on one line (see {@link FrameTransport}). */
export class Cjt188Transport extends FrameTransport<Cjt188Frame, Cjt188Error> {
  constructor(link: ByteLink, logger: Logger) {
    super(link, new Cjt188FrameReader(), lineCodes('CJT188'), logger);
  }
}

export function createCjt188Transport(bus: Cjt188BusConfig, logger: Logger): Cjt188Transport {
  return new Cjt188Transport(
    bus.transport === 'tcp' ? tcpByteLink('cjt188', bus) : serialByteLink('cjt188', bus),
    logger,
  );
}
