import { describe, expect, it } from 'vitest';
import { Dlt645FrameReader, type Dlt645ReaderOutput } from '../frame-reader.js';
import { encodeReadRequest } from '../messages.js';

const request = (dataId: string) => encodeReadRequest('000012345678', dataId);
const kinds = (outputs: Dlt645ReaderOutput[]) =>
  outputs.map((o) => ('frame' in o ? `frame ${o.frame.data.toString('hex')}` : o.error.code));

describe('Dlt645FrameReader', () => {
  it('assembles a frame delivered one byte at a time', () => {
    const reader = new Dlt645FrameReader();
    const frame = request('02010100');
    const outputs: Dlt645ReaderOutput[] = [];
    for (const byte of frame) outputs.push(...reader.push(Buffer.from([byte])));
    expect(kinds(outputs)).toEqual(['frame 00010102']);
    expect(reader.skippedBytes).toBe(4); // the FE preamble
  });

  it('splits two frames sharing a chunk and drops the noise between them', () => {
    const reader = new Dlt645FrameReader();
    const chunk = Buffer.concat([request('02010100'), Buffer.from([0x00, 0x55, 0x68]), request('00000000')]);
    expect(kinds(reader.push(chunk))).toEqual(['frame 00010102', 'frame 00000000']);
  });

  it('reports a corrupted frame and resynchronises on the next one', () => {
    const reader = new Dlt645FrameReader();
    const broken = request('02010100');
    broken[broken.length - 2] = (broken[broken.length - 2] as number) ^ 0xff;
    const outputs = reader.push(Buffer.concat([broken, request('02800002')]));
    expect(kinds(outputs)).toEqual(['DLT645_BAD_CHECKSUM', 'frame 02008002']);
  });

  it('waits for the rest of a frame and forgets it on reset', () => {
    const reader = new Dlt645FrameReader();
    const frame = request('02010100');
    expect(reader.push(frame.subarray(0, 10))).toEqual([]);
    reader.reset();
    expect(reader.push(frame.subarray(10))).toEqual([]);
    expect(kinds(reader.push(frame))).toEqual(['frame 00010102']);
  });

  it('reports noise that looks like frames, then finds the real frame after it', () => {
    const reader = new Dlt645FrameReader();
    const outputs: Dlt645ReaderOutput[] = [];
    for (let i = 0; i < 50; i++) outputs.push(...reader.push(Buffer.alloc(100, 0x68)));
    // 68 × 8 is a header with L = 0x68: each such candidate ends in 68, not 16.
    expect(new Set(kinds(outputs))).toEqual(new Set(['DLT645_BAD_END']));
    const after = kinds(reader.push(request('02010100')));
    expect(after.filter((k) => k.startsWith('frame'))).toEqual(['frame 00010102']);
    expect(reader.skippedBytes).toBeGreaterThan(4900);
  });
});
