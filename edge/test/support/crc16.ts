/** Modbus RTU CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF); sent low byte first. */
export function crc16(frame: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of frame) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function withCrc(body: Uint8Array): Buffer {
  const frame = Buffer.alloc(body.length + 2);
  frame.set(body);
  frame.writeUInt16LE(crc16(body), body.length);
  return frame;
}

export function hasValidCrc(frame: Uint8Array): boolean {
  if (frame.length < 4) return false;
  const body = frame.subarray(0, frame.length - 2);
  const sent = (frame[frame.length - 2] as number) | ((frame[frame.length - 1] as number) << 8);
  return crc16(body) === sent;
}
