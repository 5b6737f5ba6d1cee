import { ServerTCP } from 'modbus-serial';
import type { RegisterTable } from '../../devices/index.js';
import type { Component, Logger } from '../../runtime/index.js';
import type { SimulatedMeter } from './simulated-meter.js';

export interface BusEndpoint {
  busId: string;
  host: string;
  port: number;
}

export type ModbusOutcome = 'answered' | 'silent' | 'unknown_unit';

type WordsCallback = (err: Error | null, value: number[]) => void;
type WordCallback = (err: Error | null, value: number) => void;

/**
 * One RS-485 line behind a serial-to-Ethernet converter: a Modbus TCP server that
 * serves every meter of the bus by unit id. A unit id nobody owns, or a silent meter,
 * gets no answer at all, so the client times out exactly as on a real line.
 */
export class BusServer implements Component {
  private server: ServerTCP | undefined;
  private readonly meters = new Map<number, SimulatedMeter>();

  constructor(
    readonly endpoint: BusEndpoint,
    meters: readonly SimulatedMeter[],
    private readonly logger: Logger,
    private readonly onRequest: (busId: string, outcome: ModbusOutcome) => void = () => undefined,
  ) {
    for (const meter of meters) this.meters.set(meter.registered.device.unitId ?? 0, meter);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const read =
      (table: RegisterTable) => (address: number, count: number, unitId: number, reply: WordsCallback) => {
        const words = this.answer(unitId, table, address, count);
        // Not calling back is how modbus-serial's server stays silent.
        if (words) reply(null, words);
      };
    const readOne = (table: RegisterTable) => (address: number, unitId: number, reply: WordCallback) => {
      const words = this.answer(unitId, table, address, 1);
      if (words) reply(null, words[0] ?? 0);
    };
    const server = new ServerTCP(
      {
        getMultipleHoldingRegisters: read('holding'),
        getMultipleInputRegisters: read('input'),
        getHoldingRegister: readOne('holding'),
        getInputRegister: readOne('input'),
      },
      { host: this.endpoint.host, port: this.endpoint.port },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', (error: Error | null) =>
        reject(error ?? new Error('Modbus server failed to listen')),
      );
    });
    server.on('socketError', (error: Error | null) =>
      this.logger.debug({ err: error, bus: this.endpoint.busId }, 'socket error'),
    );
    server.on('serverError', (error: Error | null) =>
      this.logger.error({ err: error, bus: this.endpoint.busId }, 'server error'),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.removeAllListeners();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(unitId: number, table: RegisterTable, address: number, count: number): number[] | undefined {
    const meter = this.meters.get(unitId);
    if (!meter) {
      this.onRequest(this.endpoint.busId, 'unknown_unit');
      return undefined;
    }
    try {
      const words = meter.answer(table, address, count);
      this.onRequest(this.endpoint.busId, words ? 'answered' : 'silent');
      return words;
    } catch (error) {
      this.logger.error({ err: error, device: meter.id }, 'cannot build register image');
      return undefined;
    }
  }
}
