import type { Dlt645Frame } from '../../devices/index.js';
import { LineTcpServer } from '../line/line-tcp-server.js';
import { Dlt645Line, type Dlt645LineOptions } from './dlt645-line.js';

export type Dlt645TcpServerOptions = Omit<Dlt645LineOptions, 'line'>;

/** DL/T 645 meters behind a transparent TCP→RS-485 converter (see {@link LineTcpServer}). */
export class Dlt645TcpServer extends LineTcpServer<Dlt645Frame> {
  constructor(where: { busId: string; host: string; port: number }, options: Dlt645TcpServerOptions) {
    super(where, {
      logger: options.logger,
      line: (stream) => new Dlt645Line({ ...options, line: { stream } }),
    });
  }
}
