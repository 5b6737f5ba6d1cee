import { ServerTCP } from 'modbus-serial';
import type { RegisterImage, RegisterTable } from '../../../devices/index.js';
import { freePort } from '../../../runtime/index.js';
import type { EdgeConfigInput } from '../../config/edge-config-schema.js';

type BusInput = NonNullable<NonNullable<EdgeConfigInput['modbus']>['buses']>[number];
/** A Modbus TCP bus as a gateway config (file or `testConfig`) gives it. */
export type ModbusTcpBusInput = Extract<BusInput, { transport: 'tcp'; protocol?: 'modbus' }>;

type Callback = (err: Error | null, values: number[]) => void;

/**
 * A Modbus TCP server for tests: serves one RegisterImage per unit id, counts read
 * transactions per unit, and can be told to stay silent for a unit (a dead meter).
 */
export class ModbusTestServer {
  readonly transactions = new Map<number, number>();
  private readonly images = new Map<number, RegisterImage>();
  private readonly silent = new Set<number>();
  private readonly held: Callback[] = [];
  private server: ServerTCP | undefined;
  port = 0;
  /** When true, unit ids without an image stay silent (an empty address), as on a real line. */
  silentUnlessServed = false;

  serve(unitId: number, image: RegisterImage): void {
    this.images.set(unitId, image);
  }

  setSilent(unitId: number, silent: boolean): void {
    if (silent) this.silent.add(unitId);
    else this.silent.delete(unitId);
  }

  /** The gateway config's Modbus TCP bus to this server: `bus-a` unless `options` name another. */
  bus(
    devices: ModbusTcpBusInput['devices'],
    options: Omit<Partial<ModbusTcpBusInput>, 'devices'> = {},
  ): ModbusTcpBusInput {
    return { id: 'bus-a', transport: 'tcp', host: '127.0.0.1', port: this.port, ...options, devices };
  }

  /** Listens on `port` (to restart on the same one), or a free port. */
  async start(port?: number): Promise<void> {
    this.port = port ?? (await freePort());
    const read = (table: RegisterTable) => (addr: number, length: number, unitId: number, cb: Callback) =>
      this.answer(table, addr, length, unitId, cb);
    const single =
      (table: RegisterTable) => (addr: number, unitId: number, cb: (e: Error | null, v: number) => void) =>
        this.answer(table, addr, 1, unitId, (error, values) => cb(error, values[0] ?? 0));
    const server = new ServerTCP(
      {
        getMultipleHoldingRegisters: read('holding'),
        getMultipleInputRegisters: read('input'),
        // modbus-serial calls the single-register getters for reads of length 1.
        getHoldingRegister: single('holding'),
        getInputRegister: single('input'),
      },
      { host: '127.0.0.1', port: this.port, unitID: 255 },
    );
    server.on('socketError', () => undefined);
    server.on('serverError', () => undefined);
    await new Promise<void>((resolve) => server.on('initialized', () => resolve()));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of server.socks.keys()) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(table: RegisterTable, addr: number, length: number, unitId: number, cb: Callback): void {
    this.transactions.set(unitId, (this.transactions.get(unitId) ?? 0) + 1);
    if (this.silent.has(unitId) || (this.silentUnlessServed && !this.images.has(unitId))) {
      this.held.push(cb); // never answered
      return;
    }
    const image = this.images.get(unitId);
    const values: number[] = [];
    for (let i = 0; i < length; i++) values.push(image?.get(table, addr + i) ?? 0);
    cb(null, values);
  }
}
