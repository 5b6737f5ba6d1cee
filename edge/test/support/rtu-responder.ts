import type { RegisterImage } from '../../../devices/index.js';
import { hasValidCrc, withCrc } from './crc16.js';

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
  private buffer = Buffer.alloc(0);

  serve(unitId: number, image: RegisterImage, behaviour: MeterBehaviour = 'normal'): void {
    this.images.set(unitId, image);
    this.behaviours.set(unitId, behaviour);
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
      if ((code === 3 || code === 4) && hasValidCrc(candidate)) {
        const answer = hears(candidate[0] as number) ? this.answer(candidate) : undefined;
        if (answer) answers.push(answer);
        i += REQUEST_LENGTH;
      } else i++;
    }
    this.buffer = this.buffer.subarray(i);
    return answers;
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
