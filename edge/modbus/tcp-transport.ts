import ModbusSerial from 'modbus-serial';
import type { ReadBlock } from '../../devices/index.js';
import { backoffMs, CodedError, type Logger } from '../../runtime/index.js';
import type { ModbusTransport } from './modbus-transport.js';
import { toModbusError } from './modbus-error.js';

// modbus-serial is CommonJS: under NodeNext its class is the default import's `default`.
const ModbusRTU = ModbusSerial.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

export interface TcpTransportOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  logger: Logger;
}

/**
 * Modbus TCP (a meter with Ethernet, or an RS-485 serial server). The socket is opened
 * on the first read and again after it drops; failed connects back off so a dead
 * serial server is not hammered, and each read then fails fast with MODBUS_CONNECT.
 */
export class TcpModbusTransport implements ModbusTransport {
  private client: ModbusRTU | undefined;
  private connectFailures = 0;
  private nextConnectAt = 0;
  private closed = false;

  constructor(private readonly options: TcpTransportOptions) {}

  get description(): string {
    return `tcp://${this.options.host}:${this.options.port}`;
  }

  async read(unitId: number, block: ReadBlock, timeoutMs: number): Promise<number[]> {
    const client = await this.connected();
    client.setID(unitId);
    client.setTimeout(timeoutMs);
    const where = `${this.description} unit ${unitId} ${block.table} ${block.start}+${block.count}`;
    try {
      const result =
        block.table === 'holding'
          ? await client.readHoldingRegisters(block.start, block.count)
          : await client.readInputRegisters(block.start, block.count);
      if (result.data.length !== block.count) {
        throw new CodedError('MODBUS_EXCEPTION', `${where}: got ${result.data.length} registers`);
      }
      return result.data;
    } catch (error) {
      const coded = toModbusError(error, where);
      if (coded.code === 'MODBUS_CONNECT') this.drop(client);
      throw coded;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.client) this.drop(this.client);
  }

  private async connected(): Promise<ModbusRTU> {
    if (this.closed) throw new CodedError('MODBUS_CONNECT', `${this.description}: transport closed`);
    if (this.client?.isOpen) return this.client;
    if (this.client) this.drop(this.client);
    if (Date.now() < this.nextConnectAt) {
      throw new CodedError('MODBUS_CONNECT', `${this.description}: waiting before reconnecting`);
    }
    const client = new ModbusRTU();
    // modbus-serial emits socket errors here; without a listener they would crash the process.
    client.on('error', (error: unknown) => this.options.logger.debug({ err: error }, 'modbus socket error'));
    client.on('close', () => {
      if (this.client === client) this.client = undefined;
    });
    try {
      await client.connectTCP(this.options.host, {
        port: this.options.port,
        timeout: this.options.connectTimeoutMs,
      });
    } catch (error) {
      this.connectFailures++;
      this.nextConnectAt = Date.now() + backoffMs(this.connectFailures, 500, 30_000);
      safeDestroy(client);
      throw new CodedError('MODBUS_CONNECT', `${this.description}: ${(error as Error).message ?? error}`, {
        cause: error,
      });
    }
    if (this.closed) {
      safeDestroy(client);
      throw new CodedError('MODBUS_CONNECT', `${this.description}: transport closed`);
    }
    if (this.connectFailures > 0) this.options.logger.info({ bus: this.description }, 'modbus reconnected');
    this.connectFailures = 0;
    this.nextConnectAt = 0;
    this.client = client;
    return client;
  }

  private drop(client: ModbusRTU): void {
    if (this.client === client) this.client = undefined;
    safeDestroy(client);
  }
}

function safeDestroy(client: ModbusRTU): void {
  try {
    client.destroy(() => undefined);
  } catch {
    // already gone
  }
}
