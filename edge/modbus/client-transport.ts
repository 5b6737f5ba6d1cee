import type { ReadBlock } from '../../devices/index.js';
import { settleWithin, type Logger } from '../../runtime/index.js';
import { EdgeError } from '../errors.js';
import type { ModbusRTU } from './modbus-client.js';
import { toModbusError } from './modbus-error.js';
import type { ModbusLink } from './modbus-link.js';
import type { ModbusTransport } from './modbus-transport.js';
import { ReopeningLine } from '../poll/reopening-line.js';

/** Extra time past the Modbus timeout before a read is abandoned whatever the library does. */
const GUARD_MS = 500;
/** Read as modbus-serial's own timeout (MODBUS_TIMEOUT) by toModbusError. */
const modbusTimedOut = () => Object.assign(new Error('Timed out'), { errno: 'ETIMEDOUT' });

/**
 * A ModbusTransport over one modbus-serial client (TCP, serial RTU, RTU over TCP). The
 * client is opened on the first read and again after any error that means the line is
 * gone; failed opens back off, so a missing USB adapter or dead serial server is not
 * hammered and each read fails fast with MODBUS_CONNECT meanwhile. Every read settles
 * within its timeout, even if the library loses the transaction.
 */
export class ClientTransport implements ModbusTransport {
  private readonly line: ReopeningLine<ModbusRTU>;

  constructor(
    private readonly link: ModbusLink,
    logger: Logger,
  ) {
    this.line = new ReopeningLine({
      description: link.description,
      open: () => link.open(),
      dispose: (client) => link.dispose(client),
      usable: (client) => client.isOpen,
      attach: (client) => {
        // modbus-serial emits port errors here; without a listener they would crash the process.
        client.on('error', (error: unknown) => logger.debug({ err: error }, 'modbus port error'));
        client.on('close', () => this.line.forget(client));
      },
      failure: (message, cause) =>
        new EdgeError('MODBUS_CONNECT', message, cause === undefined ? {} : { cause }),
      logger,
    });
  }

  get description(): string {
    return this.link.description;
  }

  /**
   * One promise and one timer a read, no async layers: a poll is two reads a second per
   * meter, and each await an async function adds is garbage (issue 26's allocation profile:
   * the layers this replaced were the gateway's largest allocation site).
   */
  read(unitId: number, block: ReadBlock, timeoutMs: number): Promise<number[]> {
    const client = this.line.ready();
    if (client !== undefined) return this.readOn(client, unitId, block, timeoutMs);
    return this.line.get().then((opened) => this.readOn(opened, unitId, block, timeoutMs));
  }

  private readOn(client: ModbusRTU, unitId: number, block: ReadBlock, timeoutMs: number): Promise<number[]> {
    return new Promise<number[]>((resolve, reject) => {
      const read = new PendingRead((error, words) => {
        if (error !== undefined) {
          const coded = toModbusError(error, this.where(unitId, block));
          if (coded.code === 'MODBUS_CONNECT') this.drop(client);
          reject(coded);
        } else if (words.length !== block.count) {
          reject(
            new EdgeError('MODBUS_BAD_FRAME', `${this.where(unitId, block)}: got ${words.length} registers`),
          );
        } else resolve(words);
      });
      read.timer = setTimeout(read.timedOut, timeoutMs + GUARD_MS);
      try {
        this.link.beforeRequest?.(client);
        client.setID(unitId);
        client.setTimeout(timeoutMs);
        if (block.table === 'holding') client.writeFC3(unitId, block.start, block.count, read.answered);
        else client.writeFC4(unitId, block.start, block.count, read.answered);
      } catch (error) {
        read.answered(error as Error);
      }
    });
  }

  private where(unitId: number, block: ReadBlock): string {
    return `${this.description} unit ${unitId} ${block.table} ${block.start}+${block.count}`;
  }

  async write(unitId: number, start: number, words: readonly number[], timeoutMs: number): Promise<void> {
    const where = () => `${this.description} unit ${unitId} write holding ${start}+${words.length}`;
    await this.transact(unitId, timeoutMs, where, (client) =>
      settleWithin(client.writeRegisters(start, [...words]), timeoutMs + GUARD_MS, modbusTimedOut),
    );
  }

  /**
   * One request to `unitId`; a lost line drops the client so the next request reopens it.
   * `where` names the request in an error, built only then (a poll is two of these a second per meter).
   */
  private async transact<T>(
    unitId: number,
    timeoutMs: number,
    where: () => string,
    request: (client: ModbusRTU) => Promise<T>,
  ): Promise<T> {
    const client = await this.line.get();
    try {
      this.link.beforeRequest?.(client);
      client.setID(unitId);
      client.setTimeout(timeoutMs);
      return await request(client);
    } catch (error) {
      const coded = toModbusError(error, where());
      if (coded.code === 'MODBUS_CONNECT') this.drop(client);
      throw coded;
    }
  }

  /** Resolves once the line is released, so the same port can be opened again at once. */
  async close(): Promise<void> {
    const client = await this.line.close();
    if (client) this.drop(client);
    await this.line.released();
  }

  private drop(client: ModbusRTU): void {
    this.line.forget(client);
    this.line.dispose(client);
  }
}

/**
 * One read in flight: settles once, by the answer or the guard timer, and then lets go of
 * its promise. modbus-serial keeps each transaction's callback until its id comes round
 * again, 256 transactions later on Modbus TCP: a callback holding on to its promise kept
 * every answer alive that long (at 200 reads a second, promoted to V8's old generation
 * and collected there, the gateway's main churn).
 */
class PendingRead {
  timer: NodeJS.Timeout | undefined;
  private settle: ((error: unknown, words: number[]) => void) | undefined;

  constructor(settle: (error: unknown, words: number[]) => void) {
    this.settle = settle;
  }

  /** modbus-serial's callback. */
  readonly answered = (error: Error | null, result?: { data: number[] }): void => {
    const settle = this.settle;
    if (settle === undefined) return;
    this.settle = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (error || !result) settle(error ?? new Error('no answer'), []);
    else settle(undefined, result.data);
  };

  readonly timedOut = (): void => this.answered(modbusTimedOut());
}
