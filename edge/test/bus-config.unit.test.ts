import { describe, expect, it } from 'vitest';
import { edgeConfigSchema } from '../config/edge-config-schema.js';
import { BusScheduler } from '../modbus/bus-scheduler.js';
import { interFrameDelayMs } from '../modbus/serial-timing.js';

const base = { site: 'test-site', gateway: 'gw-test', upstream: { url: 'mqtt://127.0.0.1:1883' } };

describe('serial bus config', () => {
  it('fills RS-485 defaults and the buffer section', () => {
    const config = edgeConfigSchema().parse({
      ...base,
      modbus: { buses: [{ id: 'bus-1', transport: 'rtu', path: '/dev/ttyUSB0', devices: [] }] },
    });
    expect(config.modbus.buses[0]).toMatchObject({
      transport: 'rtu',
      baudRate: 9600,
      parity: 'none',
      dataBits: 8,
      stopBits: 1,
      retries: 1,
      timeoutMs: 1000,
    });
    expect(config.buffer).toMatchObject({
      flushIntervalMs: 250,
      inflightWindow: 64,
      maxBytes: 512 * 2 ** 20,
    });
  });

  it('rejects unit ids a serial line cannot carry, naming the field', () => {
    const result = edgeConfigSchema().safeParse({
      ...base,
      modbus: {
        buses: [
          {
            id: 'bus-1',
            transport: 'rtu-over-tcp',
            host: '127.0.0.1',
            devices: [{ id: 'm', profile: 'eastron-sdm120', unitId: 0 }],
          },
        ],
      },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe('modbus.buses.0.devices.0.unitId');
    expect(result.error?.issues[0]?.message).toContain('not valid on a serial line (1-247)');
  });

  it('keeps at least 3.5 character times between frames', () => {
    const line = { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 } as const;
    expect(interFrameDelayMs(line)).toBeCloseTo((3.5 * 10 * 1000) / 9600, 6);
    expect(interFrameDelayMs({ ...line, baudRate: 2400, parity: 'even' })).toBeCloseTo(
      (3.5 * 11 * 1000) / 2400,
      6,
    );
    expect(interFrameDelayMs({ ...line, baudRate: 115_200 })).toBe(1.75);
    expect(interFrameDelayMs({ ...line, interFrameDelayMs: 1 })).toBeCloseTo(3.6458, 3);
    expect(interFrameDelayMs({ ...line, interFrameDelayMs: 20 })).toBe(20);
  });
});

describe('bus scheduler', () => {
  async function maxParallel(concurrency: number): Promise<{ max: number; order: number[] }> {
    const scheduler = new BusScheduler({ concurrency, gapMs: 0 });
    let running = 0;
    let max = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        scheduler.run(async () => {
          running++;
          max = Math.max(max, running);
          order.push(i);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
        }),
      ),
    );
    return { max, order };
  }

  it('runs one transaction at a time on a serial line, in arrival order', async () => {
    expect(await maxParallel(1)).toEqual({ max: 1, order: [0, 1, 2, 3, 4, 5] });
  });

  it('runs up to maxConcurrent on Modbus TCP', async () => {
    expect((await maxParallel(3)).max).toBe(3);
  });

  it('frees the bus when a task fails', async () => {
    const scheduler = new BusScheduler({ concurrency: 1, gapMs: 1 });
    await expect(scheduler.run(() => Promise.reject(new Error('dead meter')))).rejects.toThrow('dead meter');
    await expect(scheduler.run(async () => 42)).resolves.toBe(42);
  });
});
