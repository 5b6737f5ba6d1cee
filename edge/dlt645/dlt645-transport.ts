import { Dlt645FrameReader, type Dlt645Error, type Dlt645Frame } from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import type { ByteLink } from '../poll/byte-link.js';
import { FrameTransport, lineCodes, type FrameExchange } from '../poll/frame-transport.js';

export type Dlt645Exchange = FrameExchange<Dlt645Frame>;

/** A DL/T 645 master on one line (see {@link FrameTransport}). */
export class Dlt645Transport extends FrameTransport<Dlt645Frame, Dlt645Error> {
  constructor(link: ByteLink, logger: Logger) {
    super(link, new Dlt645FrameReader(), lineCodes('DLT645'), logger);
  }
}
