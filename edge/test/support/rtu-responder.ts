import { decodeWords, type RegisterImage } from '../../../devices/index.js';
import { hasValidCrc, withCrc } from './crc16.js';

/** Where a meter keeps its own unit id: a holding register, uint16 or float32 high word first. */
export interface UnitIdRegister {
  address: number;
  type: 'uint16' | 'float32';
}

/** How a simulated meter on the line behaves. */
export type MeterBehaviour = 'normal' | 'silent' | 'garbage';

const REQUEST_LENGTH = 8;

/**
 * The slave side of an RTU line shared by several meters: finds read requests (FC 03/04,
 * 8 bytes with a valid CRC) in the byte stream and answers for the addressed unit id as
 * its behaviour says. `garbage` answers a well-formed frame with a wrong CRC followed by
 * line noise (bytes 0xF0–0xFF, so the noise never looks like another test meter's address).
 */
export class RtuResponder {
  readonly requests = new Map<number, number>();
  private readonly images = new Map<number, RegisterImage>();
  private readonly behaviours = new Map<number, MeterBehaviour>();
  private readonly unitIdRegisters = new Map<number, UnitIdRegister>();
  private buffer = Buffer.alloc(0);

  /** `unitIdRegister`: where the meter keeps its own id; writing it moves the meter to the new id. */
  serve(
    unitId: number,
    image: RegisterImage,
    behaviour: MeterBehaviour = 'normal',
    unitIdRegister?: UnitIdRegister,
  ): void {
    this.images.set(unitId, image);
    this.behaviours.set(unitId, behaviour);
    if (unitIdRegister) this.unitIdRegisters.set(unitId, unitIdRegister);
  }

  /** The unit ids that have a meter now. */
  get unitIds(): number[] {
    return [...this.images.keys()].sort((a, b) => a - b);
  }

  setBehaviour(unitId: number, behaviour: MeterBehaviour): void {
    this.behaviours.set(unitId, behaviour);
  }

  /**
   * Bytes in from the master; the answers to send back out. `hears` says whether a
   * unit hears the request at all (a meter left at another baud rate or parity does not).
   */
  feed(chunk: Buffer, hears: (unitId: number) => boolean = () => true): Buffer[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const answers: Buffer[] = [];
    let i = 0;
    while (i + REQUEST_LENGTH <= this.buffer.length) {
      const candidate = this.buffer.subarray(i, i + REQUEST_LENGTH);
      const code = candidate[1];
      const writeLength = code === 16 ? 9 + (this.buffer[i + 6] ?? 0) : 0;
      const write = writeLength > 0 ? this.buffer.subarray(i, i + writeLength) : undefined;
      if ((code === 3 || code === 4) && hasValidCrc(candidate)) {
        const answer = hears(candidate[0] as number) ? this.answer(candidate) : undefined;
        if (answer) answers.push(answer);
        i += REQUEST_LENGTH;
      } else if (write && write.length === writeLength && hasValidCrc(write)) {
        const answer = hears(write[0] as number) ? this.write(write) : undefined;
        if (answer) answers.push(answer);
        i += writeLength;
      } else if (code === 16 && i + Math.max(writeLength, 7) > this.buffer.length) {
        break;
      } else i++;
    }
    this.buffer = this.buffer.subarray(i);
    return answers;
  }

  /** FC 16: stores the words; a write to the unit's own id register moves the meter there after it answers. */
  private write(request: Buffer): Buffer | undefined {
    const unitId = request[0] as number;
    const image = this.images.get(unitId);
    if (!image || this.behaviours.get(unitId) === 'silent') return undefined;
    const start = request.readUInt16BE(2);
    const count = request.readUInt16BE(4);
    for (let r = 0; r < count; r++) image.set('holding', start + r, request.readUInt16BE(7 + 2 * r));
    const own = this.unitIdRegisters.get(unitId);
    if (own && own.address >= start && own.address < start + count) {
      const width = own.type === 'float32' ? 2 : 1;
      const words = Array.from({ length: width }, (_, k) => image.get('holding', own.address + k) ?? 0);
      const next = Math.round(
        decodeWords(words, { type: own.type, wordOrder: 'high-first', byteOrder: 'big' }),
      );
      if (next !== unitId && next >= 1 && next <= 247) this.move(unitId, next);
    }
    return withCrc(request.subarray(0, 6));
  }

  private move(from: number, to: number): void {
    for (const map of [this.images, this.behaviours, this.unitIdRegisters] as Array<Map<number, unknown>>) {
      const value = map.get(from);
      map.delete(from);
      if (value !== undefined) map.set(to, value);
    }
  }

  private answer(request: Buffer): Buffer | undefined {
    const unitId = request[0] as number;
    const code = request[1] as number;
    const start = request.readUInt16BE(2);
    const count = request.readUInt16BE(4);
    this.requests.set(unitId, (this.requests.get(unitId) ?? 0) + 1);
    const image = this.images.get(unitId);
    const behaviour = this.behaviours.get(unitId);
    if (!image || behaviour === 'silent') return undefined;
    const body = Buffer.alloc(3 + 2 * count);
    body[0] = unitId;
    body[1] = code;
    body[2] = 2 * count;
    const table = code === 3 ? 'holding' : 'input';
    for (let r = 0; r < count; r++) body.writeUInt16BE(image.get(table, start + r) ?? 0, 3 + 2 * r);
    const frame = withCrc(body);
    if (behaviour !== 'garbage') return frame;
    frame[frame.length - 1] = (frame[frame.length - 1] as number) ^ 0x5a;
    const noise = Buffer.from(Array.from({ length: 7 }, () => 0xf0 + Math.floor(Math.random() * 16)));
    return Buffer.concat([frame, noise]);
  }
}
