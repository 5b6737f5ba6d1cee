import type { Cjt188Frame } from '../../devices/index.js';
import { LineTcpServer } from '../line/line-tcp-server.js';
import { Cjt188Line, type Cjt188LineOptions } from './cjt188-line.js';

export type Cjt188TcpServerOptions = Omit<Cjt188LineOptions, 'line'>;

/** CJ/T 188 water meters behind a transparent TCP→RS-485 converter (see {@link LineTcpServer}). */
export class Cjt188TcpServer extends LineTcpServer<Cjt188Frame> {
  constructor(where: { busId: string; host: string; port: number }, options: Cjt188TcpServerOptions) {
    super(where, {
      logger: options.logger,
      line: (stream) => new Cjt188Line({ ...options, line: { stream } }),
    });
  }
}
