import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openSerialPort } from '../../line/meter-line.js';
import { startPtyPair } from '../pty-pair.js';

// DL/T 645's usual 2400 8E1: parity must not mark or drop any byte value on the way.
const SERIAL = { baudRate: 2400, parity: 'even', dataBits: 8, stopBits: 1 } as const;

describe('startPtyPair', () => {
  it('links two terminals that carry raw bytes both ways, and removes them on stop', async () => {
    const pty = await startPtyPair();
    const a = await openSerialPort(pty.a, SERIAL);
    const b = await openSerialPort(pty.b, SERIAL);
    try {
      // Every byte value, 0x00..0xFF: raw mode must not eat or translate any of them.
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const received = new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        b.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (Buffer.concat(chunks).length >= all.length) resolve(Buffer.concat(chunks));
        });
      });
      a.write(all);
      expect(await received).toEqual(all);
    } finally {
      await new Promise<void>((resolve) => a.close(() => resolve()));
      await new Promise<void>((resolve) => b.close(() => resolve()));
      await pty.stop();
    }
    expect(existsSync(pty.a) || existsSync(pty.b)).toBe(false);
    await pty.stop();
  });

  it('says how to get socat when it cannot run', async () => {
    await expect(startPtyPair({ socatPath: '/nonexistent/socat' })).rejects.toThrow(/install it/);
  });
});
