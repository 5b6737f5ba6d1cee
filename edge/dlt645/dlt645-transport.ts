import { Dlt645FrameReader, type Dlt645Error, type Dlt645Frame } from '../../devices/index.js';
import type { Logger } from '../../runtime/index.js';
import type { ByteLink } from '../poll/byte-link.js';
import { FrameTransport, type FrameExchange } from '../poll/frame-transport.js';

export type Dlt645Exchange = FrameExchange<Dlt645Frame>;

/** A DL/T 645 master on one line (see {@link FrameTransport}). */
export class Dlt645Transport extends FrameTransport<Dlt645Frame, Dlt645Error> {
  constructor(link: ByteLink, logger: Logger) {
    super(
      link,
      new Dlt645FrameReader(),
      { timeout: 'DLT645_TIMEOUT', badFrame: 'DLT645_BAD_FRAME', connect: 'DLT645_CONNECT' },
      logger,
    );
  }
}
