import { describe, expect, it } from 'vitest';
import { MqttFrameSizeGuard } from '../frame-guard.js';

/** An MQTT fixed header: packet type byte + variable-length remaining length. */
function header(remainingLength: number): Buffer {
  const bytes = [0x30];
  let value = remainingLength;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return Buffer.from(bytes);
}

describe('MQTT frame size guard', () => {
  it('follows packets split across chunks and flags the first oversized one', () => {
    const guard = new MqttFrameSizeGuard(1000);
    const small = Buffer.concat([header(500), Buffer.alloc(500)]);
    expect(guard.observe(small.subarray(0, 2))).toBeUndefined();
    expect(guard.observe(small.subarray(2, 300))).toBeUndefined();
    expect(
      guard.observe(Buffer.concat([small.subarray(300), header(1000), Buffer.alloc(1000)])),
    ).toBeUndefined();
    const big = header(200_000);
    expect(guard.observe(big.subarray(0, 2))).toBeUndefined();
    expect(guard.observe(big.subarray(2))).toBe(200_000);
  });

  it('flags a malformed remaining length', () => {
    const guard = new MqttFrameSizeGuard(1000);
    expect(guard.observe(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toBe(Number.POSITIVE_INFINITY);
  });

  it('handles packets without a body (PINGREQ)', () => {
    const guard = new MqttFrameSizeGuard(10);
    expect(guard.observe(Buffer.from([0xc0, 0x00, 0xc0, 0x00]))).toBeUndefined();
    expect(guard.observe(header(11))).toBe(11);
  });
});
